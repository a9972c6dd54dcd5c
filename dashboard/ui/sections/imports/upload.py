"""2. 上传并检查: the uploader, 检查文件 (a dry run with a progress bar), the outcome kept per
file content (``outcome.sha256``) so a rerun does not check again, and 确认导入 (the real run,
which checks everything again: the database may have changed since the check).

A new upload drops the outcome of the files before it. A database that is down or busy is one
sentence (``data.outage_text``), as in ``ui.edit.run_edit``.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard.edits import EditError
from dashboard.edits.ledger_import import Outcome, files_digest, import_files
from dashboard.i18n import t
from dashboard.ledgerfile.reader import MAX_BYTES, MB
from dashboard.ui import data
from dashboard.ui.edit import FLASH_KEY, actor, today_in_district
from dashboard.ui.sections import Context
from dashboard.ui.sections.imports import outcome, own_townships
from dashboard.ui.widgets import escape_markdown
from dashboard.views.edits import refusal_text
from models.enums import Role

OUTCOME_KEY = "import_outcome"  # {"sha256": …, "outcome": Outcome} of the files in the uploader
UPLOADER_KEY = "import_uploader_n"  # bumped after an import: the uploader starts empty again
TYPES = ["xlsx", "csv", "xls", "xlsb"]  # .xls/.xlsb let through so the reader can say "save as .xlsx"
#: where each stage of an import starts and ends on the progress bar
STAGES = {"read": (0.0, 0.1), "check": (0.1, 0.5), "kpi": (0.5, 0.6), "write": (0.6, 0.9), "summary": (0.9, 1.0)}

Files = list[tuple[str, bytes]]


def uploaded(widget_value: Any) -> Files:
    """(name, bytes) of what the uploader holds."""
    return [(f.name, f.getvalue()) for f in widget_value or []]


def forget() -> None:
    """Drop the kept outcome (after an undo, say: the diff shown may no longer hold)."""
    st.session_state.pop(OUTCOME_KEY, None)


class _Bar:
    """``progress(stage, done, total)`` of an import drawn into an ``st.status`` with a progress bar."""

    def __init__(self, box, loc: str):
        self.box, self.loc, self.fill = box, loc, 0.0
        self.bar = box.progress(0.0, text=t("import.progress.read", loc))

    def __call__(self, stage: str, done: int, total: int) -> None:
        name = stage.split(":")[0].strip()
        start, end = STAGES.get(name, (self.fill, self.fill))
        self.fill = max(self.fill, start + (end - start) * (min(done / total, 1.0) if total else 0.0))
        label = t(f"import.progress.{name}", self.loc) if name in STAGES else t("import.progress.write", self.loc)
        count = f" {done:,} / {total:,}" if total else (f" {done:,}" if done else "")
        self.box.update(label=label)
        self.bar.progress(self.fill, text=label + count)


def run_import(ctx: Context, files: Files, *, dry_run: bool, expected: dict | None = None) -> Outcome | None:
    """``import_files`` with a progress bar; None (and one sentence) when it could not run."""
    loc = ctx.loc
    with st.status(t("import.progress.read", loc), expanded=True) as box:
        bar = _Bar(box, loc)
        try:
            out = import_files(data.engine(), files, actor=actor(), dry_run=dry_run, today=today_in_district(),
                               progress=bar, expected=expected)
        except EditError as err:  # a role that may not import (the page already refuses it)
            box.update(state="error")
            st.error(refusal_text(err, loc))
            return None
        except Exception as exc:  # a database down or busy: one sentence, the upload stays
            reason = data.outage_text(exc, loc)
            if reason is None:
                raise
            box.update(state="error")
            st.error(reason if dry_run else t("edit.failed", loc, reason=reason), icon=":material/cloud_off:")
            return None
        bar.bar.progress(1.0, text=t("import.progress.done", loc))
        box.update(label=t("import.progress.done", loc), state="complete", expanded=False)
    return out


def commit(ctx: Context, files: Files, digest: str, checked: Outcome) -> None:
    """确认导入: the real run, which writes only the changes the check showed. Written: caches
    cleared, a message for the next run, the uploader emptied, rerun. Not written (problems found
    now, nothing left to change, or other changes than shown — the database changed since the
    check): that outcome is shown, as a new check."""
    out = run_import(ctx, files, dry_run=False, expected=checked.changes())
    if out is None:
        return
    forget()
    if out.written:
        data.clear_caches()
        st.session_state[FLASH_KEY] = t("import.done", ctx.loc, batch=out.batch_id)
        st.session_state[UPLOADER_KEY] = st.session_state.get(UPLOADER_KEY, 0) + 1
    else:
        st.session_state[OUTCOME_KEY] = {"sha256": digest, "outcome": out}
    st.rerun()


def render(ctx: Context) -> None:
    loc = ctx.loc
    st.markdown(f"**{t('import.upload.title', loc)}**")
    if ctx.user.role == Role.TOWNSHIP:
        st.caption(t("import.scope_note", loc, townships=escape_markdown("、".join(own_townships(ctx)))))
    files = uploaded(st.file_uploader(t("import.upload.label", loc), type=TYPES, accept_multiple_files=True,
                                      help=t("import.upload.help", loc), max_upload_size=MAX_BYTES // MB,
                                      key=f"import_files_{st.session_state.get(UPLOADER_KEY, 0)}"))
    digest = files_digest(files) if files else None
    held = st.session_state.get(OUTCOME_KEY)
    if held is not None and held["sha256"] != digest:  # another upload, or none: that check is void
        forget()
        held = None
    if not files:
        return
    if st.button(t("import.check", loc), type="secondary" if held else "primary", icon=":material/fact_check:",
                 key="import_check"):
        out = run_import(ctx, files, dry_run=True)
        if out is not None:
            held = st.session_state[OUTCOME_KEY] = {"sha256": digest, "outcome": out}
    if held is None:
        return
    if held["outcome"].stale:
        st.warning(t("import.stale", loc))
    if outcome.render(ctx, held["outcome"], files):
        commit(ctx, files, digest, held["outcome"])
