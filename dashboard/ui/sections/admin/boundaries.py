"""乡镇边界: upload a GeoJSON, check it (a dry run: preview map, match table, every problem),
then save it for real; and remove one township's boundary. Administrators only (the page checks).

The check is kept per file, mapping file and options (``CHECK_KEY``): another file or another
option voids it, and 保存 runs the whole import again (the database may have changed since the
check) — with the logged-in user as the audit actor.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import streamlit as st

from dashboard.charts.boundaries import preview_map
from dashboard.edits import EditError
from dashboard.edits import boundaries as edits
from dashboard.i18n import t
from dashboard.ui import data
from dashboard.ui.edit import FLASH_KEY, actor, show_flash
from dashboard.ui.sections import Context
from dashboard.ui.widgets import escape_markdown
from dashboard.views.boundaries import (
    keys_help,
    match_frame,
    outcome_lines,
    preview_features,
    problem_lines,
)
from dashboard.views.edits import refusal_text
from models.boundaries import CRS_CHOICES, MAX_FILE_BYTES, BoundaryError, read_mapping

CHECK_KEY = "bnd_check"  # {"digest": …, "report": BoundaryReport} of the last check
UPLOADER_KEY = "bnd_uploader_n"  # bumped after a save: the uploader starts empty again


def _options(ctx: Context) -> dict[str, Any]:
    loc = ctx.loc
    left, right = st.columns(2)
    name_key = left.text_input(t("bnd.name_key", loc), key="bnd_name_key", max_chars=40,
                               help=keys_help(loc)).strip()
    code_key = right.text_input(t("bnd.code_key", loc), key="bnd_code_key", max_chars=40,
                                help=keys_help(loc)).strip()
    crs = st.radio(t("bnd.crs", loc), CRS_CHOICES, key="bnd_crs", horizontal=True,
                   format_func=lambda c: t(f"bnd.crs.{c}", loc))
    a, b, c = st.columns(3)
    return {"name_keys": [name_key] if name_key else None, "code_keys": [code_key] if code_key else None,
            "crs": crs,
            "schematic": a.checkbox(t("bnd.schematic", loc), key="bnd_schematic"),
            "create_townships": b.checkbox(t("bnd.create", loc), key="bnd_create"),
            "trust_code": c.checkbox(t("bnd.trust_code", loc), key="bnd_trust")}


def _run(ctx: Context, text: str, mapping: bytes | None, options: dict, *, dry_run: bool):
    """The import (dry run or real); None after saying in one sentence why it could not run."""
    loc = ctx.loc
    try:
        pairs = read_mapping(mapping) if mapping else None
        return edits.import_file(data.engine(), text, dry_run=dry_run, actor=actor(), mapping=pairs, **options)
    except EditError as exc:
        st.error(refusal_text(exc, loc))
    except BoundaryError as exc:
        st.error(t("bnd.error", loc, reason=escape_markdown(str(exc))))
    except Exception as exc:  # a database down or busy: one sentence
        reason = data.outage_text(exc, loc)
        if reason is None:
            raise
        st.error(reason, icon=":material/cloud_off:")
    return None


def _show(ctx: Context, report) -> None:
    loc = ctx.loc
    for line in outcome_lines(report, loc):
        st.markdown(escape_markdown(line))
    features = preview_features(report, loc)
    st.markdown(f"**{t('bnd.preview', loc)}**")
    if features:
        st.altair_chart(preview_map(features, loc), width="stretch")
    else:
        st.info(t("bnd.no_preview", loc))
    st.markdown(f"**{t('bnd.table', loc)}**")
    st.dataframe(match_frame(report, loc), hide_index=True, width="stretch")
    problems = problem_lines(report, loc)
    st.markdown(f"**{t('bnd.problems', loc, n=len(problems))}**")
    if not problems:
        st.success(t("bnd.no_problems", loc))
    for line in problems:  # they quote property values from the file: shown as text, never Markdown
        st.warning(escape_markdown(line))


def _upload(ctx: Context) -> None:
    loc = ctx.loc
    n = st.session_state.get(UPLOADER_KEY, 0)
    upload = st.file_uploader(t("bnd.upload", loc), type=["geojson", "json"], key=f"bnd_file_{n}",
                              help=t("bnd.upload_help", loc, mb=MAX_FILE_BYTES // 1_000_000),
                              max_upload_size=MAX_FILE_BYTES // 1_000_000)
    mapping_file = st.file_uploader(t("bnd.mapping", loc), type=["csv", "txt"], key=f"bnd_mapping_{n}")
    options = _options(ctx)
    if upload is None:
        st.session_state.pop(CHECK_KEY, None)
        return
    raw = upload.getvalue()
    mapping = mapping_file.getvalue() if mapping_file is not None else None
    digest = hashlib.sha256(raw + b"\0" + (mapping or b"") + json.dumps(options, sort_keys=True).encode()).hexdigest()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        st.error(t("bnd.not_utf8", loc))
        return
    held = st.session_state.get(CHECK_KEY)
    if held is not None and held["digest"] != digest:
        st.session_state.pop(CHECK_KEY, None)
        st.info(t("bnd.stale", loc))
        held = None
    if st.button(t("bnd.check", loc), key="bnd_check_button", icon=":material/fact_check:",
                 type="secondary" if held else "primary"):
        report = _run(ctx, text, mapping, options, dry_run=True)
        if report is not None:
            held = st.session_state[CHECK_KEY] = {"digest": digest, "report": report}
    if held is None:
        return
    _show(ctx, held["report"])
    if not held["report"].shapes:
        st.info(t("bnd.not_saved", loc))
        return
    if st.button(t("bnd.save", loc), key="bnd_save", type="primary", icon=":material/save:"):
        report = _run(ctx, text, mapping, options, dry_run=False)
        if report is None:
            return
        st.session_state.pop(CHECK_KEY, None)
        if report.status == "stored":
            data.clear_caches()
            st.session_state[FLASH_KEY] = t("bnd.saved", loc, n=len(report.shapes))
            st.session_state[UPLOADER_KEY] = n + 1
            st.rerun()
        st.session_state[CHECK_KEY] = {"digest": digest, "report": report}  # what changed since the check
        st.rerun()


def _remove(ctx: Context) -> None:
    loc = ctx.loc
    st.markdown(f"**{t('bnd.remove.title', loc)}**")
    towns = data.townships(ctx.url)
    with_boundary = [(r.code, r.name) for r in towns.itertuples(index=False)
                     if isinstance(r.boundary_geojson, str) and r.boundary_geojson]
    if not with_boundary:
        st.caption(t("bnd.remove.none", loc))
        return
    names = dict(with_boundary)
    code = st.selectbox(t("bnd.remove.pick", loc), list(names), key="bnd_remove_code",
                        format_func=lambda c: f"{names[c]}（{c}）")  # a selectbox shows text, not Markdown
    sure = st.checkbox(t("bnd.remove.confirm", loc), key="bnd_remove_sure")
    if st.button(t("bnd.remove.button", loc), key="bnd_remove", disabled=not sure, icon=":material/delete:"):
        try:
            code, name = edits.remove(data.engine(), code, actor=actor())
        except EditError as exc:
            st.error(refusal_text(exc, loc))
            return
        except BoundaryError as exc:
            st.error(t("bnd.error", loc, reason=escape_markdown(str(exc))))
            return
        except Exception as exc:
            reason = data.outage_text(exc, loc)
            if reason is None:
                raise
            st.error(reason, icon=":material/cloud_off:")
            return
        data.clear_caches()
        st.session_state[FLASH_KEY] = t("bnd.removed", loc, name=name, code=code)
        st.session_state.pop("bnd_remove_sure", None)
        st.rerun()


def render(ctx: Context) -> None:
    loc = ctx.loc
    st.markdown(f"**{t('bnd.title', loc)}**")
    st.caption(t("bnd.intro", loc))
    show_flash(toast=False)
    _upload(ctx)
    st.divider()
    _remove(ctx)
