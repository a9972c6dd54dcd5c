"""典型案例 / model enterprises: the gallery, one case study (``?case=<enterprise id>``), its PDF,
and for staff the designation of models (with a reason, audited).

Sections: ``ui/sections/cases``; texts and tables: ``views.cases`` (the PDF takes the same).
"""

from __future__ import annotations

from dashboard.ui.sections import context
from dashboard.ui.sections.cases import (
    can_edit,
    case_from_url,
    comparison,
    designation,
    gallery,
    header,
    manage,
    records,
    story,
    timeline,
)

ctx = context()
detail = case_from_url(ctx)
if detail is not None:
    header.render(ctx, detail)
    story.render(ctx, detail)
    timeline.render(ctx, detail)
    records.render(ctx, detail)
    comparison.render(ctx, detail)
    if can_edit(ctx):
        manage.render(ctx, detail)
else:
    gallery.render(ctx)
    if can_edit(ctx):
        designation.render(ctx)
