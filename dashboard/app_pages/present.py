"""会议大屏 / presentation mode: full-screen slides for a joint meeting, with the township filter
and the as-of date of the sidebar (from the URL) applied.

URL: ``/present?slide=map&theme=dark&auto=20&wall=2x2`` (slide by name or number; ``auto`` seconds
per slide; ``wall`` a spliced wall of 2×2 or 3×3 panels). The slides are drawn on a 1920×1080
stage scaled to the window; the controls hide while the mouse rests. Keys: ← → move between
slides. The slides advance by themselves in an ``st.fragment(run_every=…)``.
A composition of sections (``ui/sections/present/``); what the slides show comes from
``dashboard.views.present`` and ``dashboard.views.overview``.
"""

from __future__ import annotations

from dashboard.ui.sections import context
from dashboard.ui.sections.present import actions, campaign, deck, kpis, mechanisms, model
from dashboard.ui.sections.present import map as map_slide

ctx = context()
deck.sync_from_url()  # the URL is untrusted input (ui.present.parse_url, views.stage.parse_wall)
deck.stage(ctx, {"kpis": kpis.render, "map": map_slide.render, "campaign": campaign.render,
                 "actions": actions.render, "model": model.render, "mechanisms": mechanisms.render})
