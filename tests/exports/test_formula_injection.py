"""Every file the app offers is safe to open (issue #21, item 4).

*Formula injection*: a cell that starts with ``= + - @``, a tab or a carriage return is read by a
spreadsheet as a formula (``=HYPERLINK(…)``, ``=cmd|' /C calc'!A0``). Such text reaches the
exports from the database (an enterprise name, an action item, a unit) and from anyone at all:
a username typed at the login form lands in the audit log. Every CSV and spreadsheet export
neutralises it with one function (``dashboard.exports.cells``): a CSV cell gets a leading ``'``;
an Excel cell is a text cell with Excel's own "typed with a leading apostrophe" flag
(``quotePrefix``), so it stays text even when someone edits it.

*Scope*: a township account's files hold no row of another township.

The files are the app's own: the pages run in AppTest as each user, every ``download_button`` is
captured, and what it would send is built — the ledger workbook, the action items (Excel and
CSV), the audit CSV, the meeting brief (PDF and PPTX), the case study PDF. Chart PNGs are images
(no cells, figures only) and are not read.
"""

from __future__ import annotations

import csv
import datetime as dt
import inspect
import io
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.app.test_overview import run as run_app

ROOT = Path(__file__).resolve().parents[2]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: what a hostile or careless user types where the app keeps text
ENTERPRISE_NAMES = ['=HYPERLINK("http://evil.example","点我")', "+1+2 公司", "-3+4 公司", "@SUM(A1) 公司",
                    "\t=1+1 公司", "\r=1+1 公司"]
ITEM_TEXTS = ["=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0"]
LEAD_NAME = "=1+2（拟设）项目"
UNIT_NAME = "-2+3+cmd|' /C calc'!A0"
LOGIN_NAME = "=cmd|' /C calc'!A0 登录"
#: rows of another township (青岚街道) that a 越北镇 account must never receive
OUTSIDE = "越界标记"


# --------------------------------------------------------------------------- the one function


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1+1", "@A1", "\t=1", "\r=1", "=HYPERLINK(\"http://x\")"])
def test_a_formula_like_cell_is_neutralised(text):
    from dashboard.exports.cells import formula_like, neutralise

    assert formula_like(text)
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["越北镇", "1+1", " =1", "a=b", "", "—", 42, -5, 3.5, None, dt.date(2002, 12, 31)])
def test_other_values_are_left_alone(value):
    from dashboard.exports.cells import neutralise

    assert neutralise(value) is value


def test_csv_bytes_neutralises_cells_and_keeps_numbers():
    import pandas as pd

    from dashboard.exports.cells import csv_bytes

    data = csv_bytes(pd.DataFrame({"名称": ["=1+1", "正常", "-2"], "天数": [-3, 0, 7]}))
    assert data.startswith("\ufeff".encode())  # Excel reads UTF-8 with the BOM
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["名称", "天数"], ["'=1+1", "-3"], ["正常", "0"], ["'-2", "7"]]


# --------------------------------------------------------------------------- the app's files


@pytest.fixture
def planted(demo_template, tmp_path, monkeypatch):
    """A demo district with formula text in 越北镇 (enterprise names, action items, a unit), marked
    rows in 青岚街道, a failed sign-in with a formula for a username, and a 越北镇 model enterprise
    (for the case PDF); the app pointed at it."""
    from dashboard.edits import Actor
    from dashboard.edits.cases import set_designation
    from dashboard.queries.dates import district_today
    from dashboard.ui import auth
    from models.db import make_engine, session_scope
    from models.enums import Role
    from models.settings import get_settings

    url = demo_template.copy(tmp_path / "demo.sqlite")
    monkeypatch.setenv("DANGONG_DATABASE_URL", url)
    get_settings.cache_clear()
    auth.ADDRESS_THROTTLE.clear()
    today = district_today().isoformat()
    engine = make_engine(url)
    with engine.begin() as conn:
        def ids(sql, **params):
            return [r[0] for r in conn.execute(sa.text(sql), params)]

        yb, ql = (ids("SELECT id FROM township WHERE code = :c", c=c)[0] for c in ("YB", "QL"))
        operating = ("SELECT id FROM enterprise WHERE township_id = :t AND closed_on IS NULL AND registered_on <= :d "
                     "ORDER BY id LIMIT :n")
        for eid, name in zip(ids(operating, t=yb, d=today, n=len(ENTERPRISE_NAMES)), ENTERPRISE_NAMES, strict=True):
            conn.execute(sa.text("UPDATE enterprise SET name = :n WHERE id = :i"), {"n": name, "i": eid})
        outside_ent = ids(operating, t=ql, d=today, n=1)[0]
        conn.execute(sa.text("UPDATE enterprise SET name = :n WHERE id = :i"), {"n": OUTSIDE + "企业", "i": outside_ent})
        open_items = ("SELECT id FROM action_item WHERE township_id = :t AND status <> 'done' AND created_on <= :d "
                      "ORDER BY due_on, id LIMIT :n")
        yb_items = ids(open_items, t=yb, d=today, n=len(ITEM_TEXTS))
        assert yb_items, "the demo has an open action item of 越北镇"
        while len(yb_items) < len(ITEM_TEXTS):  # as many open items as texts to plant: a copy of the first
            conn.execute(sa.text(
                "INSERT INTO action_item (decision_id, description, owner_unit_id, township_id, created_on, due_on, "
                "status, done_on) SELECT decision_id, description, owner_unit_id, township_id, created_on, due_on, "
                "status, done_on FROM action_item WHERE id = :i"), {"i": yb_items[0]})
            yb_items = ids(open_items, t=yb, d=today, n=len(ITEM_TEXTS))
        for iid, text in zip(yb_items, ITEM_TEXTS, strict=True):
            conn.execute(sa.text("UPDATE action_item SET description = :d WHERE id = :i"), {"d": text, "i": iid})
        owner = ids("SELECT owner_unit_id FROM action_item WHERE id = :i", i=yb_items[0])[0]
        conn.execute(sa.text("UPDATE unit SET name = :n WHERE id = :i"), {"n": UNIT_NAME, "i": owner})
        for iid in ids(open_items, t=ql, d=today, n=2):  # the most overdue of 青岚街道: listed first, if ever
            conn.execute(sa.text("UPDATE action_item SET description = :d WHERE id = :i"), {"d": OUTSIDE + "事项", "i": iid})
        model = ids(operating + " OFFSET 10", t=yb, d=today, n=1)[0]
        # a founding lead of 越北镇: a project whose name was typed as a formula (the pipeline's export)
        lead = conn.execute(sa.text(
            "INSERT INTO founding_lead (enterprise_name, township_id, source, stage, identified_on, stage_on, "
            "owner_unit_id) VALUES (:n, :t, 'investment', 'identified', :d, :d, :u) RETURNING id"),
            {"n": LEAD_NAME, "t": yb, "d": today, "u": owner}).scalar_one()
        conn.execute(sa.text("INSERT INTO founding_lead_stage (lead_id, stage, start_on, username, at) "
                             "VALUES (:l, 'identified', :d, 'test', CURRENT_TIMESTAMP)"), {"l": lead, "d": today})
    with session_scope(engine) as s:
        set_designation(session=s, actor=Actor("staff", Role.STAFF), enterprise_id=model, designated=True,
                        reason="=1+1 带动作用明显")
    engine.dispose()
    _failed_sign_in(LOGIN_NAME)
    yield {"url": url, "model": model}
    auth.ADDRESS_THROTTLE.clear()  # the failed sign-in counted against "no address": leave none behind


def _failed_sign_in(username: str) -> None:
    """Anyone at the login form: a wrong password for a made-up username (audited)."""
    from streamlit.testing.v1 import AppTest

    from tests.app.test_overview import APP

    at = AppTest.from_file(APP, default_timeout=90).run()
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input("wrong")
    at.button[0].click().run()
    assert at.error, "the sign-in was refused"


@contextmanager
def downloads():
    """Every ``download_button`` the pages draw: (file name, the data it would send)."""
    import streamlit as st
    from streamlit.delta_generator import DeltaGenerator

    files: list[tuple[str, object]] = []
    real = DeltaGenerator.download_button
    signature = inspect.signature(real)

    def capture(self, *args, **kwargs):
        given = signature.bind(self, *args, **kwargs).arguments
        files.append((given.get("file_name"), given["data"]))
        return real(self, *args, **kwargs)

    def main_capture(*args, **kwargs):
        return capture(st._main, *args, **kwargs)

    patcher = pytest.MonkeyPatch()
    patcher.setattr(DeltaGenerator, "download_button", capture)
    patcher.setattr(st, "download_button", main_capture)
    try:
        yield files
    finally:
        patcher.undo()


def page(user: str, script: str, **params):
    at = run_app(_user=user, **params)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(f"app_pages/{script}.py").run()
    assert not at.exception, [(script, e.value, "\n".join(e.proto.stack_trace[-10:])) for e in at.exception]
    return at


def files_of(user: str, pages: list[tuple[str, dict]]) -> dict[str, bytes]:
    """What each download button of these pages would send, by file name (chart PNGs left out)."""
    out: dict[str, bytes] = {}
    with downloads() as captured:
        for script, params in pages:
            page(user, script, **params)
    for name, data in captured:
        if name is None or name.endswith(".png") or name in out:
            continue
        data = data() if callable(data) else data
        out[name] = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    return out


def cells(name: str, data: bytes) -> list[tuple[str, object, object]]:
    """(where, value, the openpyxl cell or None) of every cell of a CSV or an Excel file."""
    if name.endswith(".csv"):
        rows = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
        return [(f"{name}:{r}:{c}", v, None) for r, row in enumerate(rows, 1) for c, v in enumerate(row, 1)]
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    return [(f"{name}:{ws.title}!{cell.coordinate}", cell.value, cell)
            for ws in wb.worksheets for row in ws.iter_rows() for cell in row if cell.value is not None]


def formula_problems(name: str, data: bytes) -> list[str]:
    problems = []
    for where, value, cell in cells(name, data):
        if cell is not None and cell.data_type == "f":
            problems.append(f"{where}: a formula {value!r}")
        elif isinstance(value, str) and value.startswith(FORMULA_START):
            if cell is None and not re.fullmatch(r"-?\d+(\.\d+)?", value):  # CSV: a negative number is a number
                problems.append(f"{where}: {value!r}")
            elif cell is not None and not cell.quotePrefix:
                problems.append(f"{where}: {value!r} without the quote prefix")
    return problems


def text_of(name: str, data: bytes) -> str:
    """Everything a file says, for the scope check."""
    if name.endswith((".csv", ".xlsx")):
        return "\n".join(str(v) for _, v, _ in cells(name, data))
    if name.endswith(".pptx"):
        from pptx import Presentation

        parts = []
        for slide in Presentation(io.BytesIO(data)).slides:
            for shape in slide.shapes:
                if shape.has_text_frame:
                    parts.append(shape.text_frame.text)
                if getattr(shape, "has_table", False) and shape.has_table:
                    parts.extend(c.text for row in shape.table.rows for c in row.cells)
        return "\n".join(parts)
    if name.endswith(".docx"):
        from docx import Document

        doc = Document(io.BytesIO(data))
        return "\n".join([p.text for p in doc.paragraphs]
                         + [c.text for table in doc.tables for row in table.rows for c in row.cells])
    if name.endswith(".pdf"):
        from tests.exports.pdftext import text_of as pdf_text

        return pdf_text(data)[1]
    raise AssertionError(f"an export of an unknown kind: {name}")


def township_files(planted) -> dict[str, bytes]:
    return files_of("yuebei", [("ledger", {}), ("meetings", {}), ("cases", {"case": str(planted["model"])}),
                               ("present", {}), ("campaigns", {"view": "leads"}), ("development", {}), ("awards", {})])


def test_every_export_of_a_township_account_neutralises_formula_cells(planted):
    files = township_files(planted)
    kinds = sorted(re.sub(r"_[\d-]+(_[\d-]+)?(?=\.)", "", n) for n in files)
    assert kinds == ["action_items.csv", "action_items.xlsx", "awards.xlsx", "brief.docx", "brief.pdf", "brief.pptx",
                     "case.pdf", "development.xlsx", "enterprise_ledger.xlsx", "founding_leads.xlsx"], kinds
    sheets = {n: d for n, d in files.items() if n.endswith((".csv", ".xlsx"))}
    for name, data in sheets.items():
        assert formula_problems(name, data) == [], name
    ledger = next(d for n, d in sheets.items() if n.startswith("enterprise_ledger"))
    items_csv = next(d for n, d in sheets.items() if n.endswith(".csv"))
    items_xlsx = next(d for n, d in sheets.items() if n.startswith("action_items") and n.endswith(".xlsx"))
    ledger_values = {v for _, v, _ in cells("l.xlsx", ledger)}
    for name in ENTERPRISE_NAMES:  # the planted text is there, neutralised (else the scan proved nothing)
        assert name in ledger_values, name
    csv_values = {v for _, v, _ in cells("i.csv", items_csv)}
    xlsx_values = {v for _, v, _ in cells("i.xlsx", items_xlsx)}
    for text in [*ITEM_TEXTS, UNIT_NAME]:
        assert "'" + text in csv_values and text in xlsx_values, text
    leads = next(d for n, d in sheets.items() if n.startswith("founding_leads"))
    assert any(v == LEAD_NAME + "（尚未注册）" or v == LEAD_NAME for _, v, _ in cells("f.xlsx", leads))  # planted


def test_the_audit_csv_neutralises_a_username_typed_at_the_login_form(planted):
    files = files_of("admin", [("admin", {})])
    assert list(files) == ["audit_events.csv"]
    data = files["audit_events.csv"]
    assert formula_problems("audit_events.csv", data) == []
    assert "'" + LOGIN_NAME in {v for _, v, _ in cells("audit_events.csv", data)}


def test_no_export_of_a_township_account_holds_another_townships_rows(planted):
    files = township_files(planted)
    assert len(files) == 10
    for name, data in files.items():
        assert OUTSIDE not in text_of(name, data), name
    # the control: the same files for the whole district do carry the marked rows
    district = files_of("leader", [("ledger", {}), ("meetings", {})])
    for name, data in district.items():
        if name.endswith((".csv", ".xlsx")):
            assert OUTSIDE in text_of(name, data), name


def test_every_download_button_of_the_app_is_covered_here():
    """A new download button must join the scans above: the call sites are counted in the code."""
    import ast

    sites = {}
    for path in sorted((ROOT / "dashboard").rglob("*.py")):
        calls = [node for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                 and node.func.attr == "download_button"]
        if calls:
            sites[str(path.relative_to(ROOT))] = len(calls)
    assert sites == {
        "dashboard/ui/brief.py": 3,  # brief.pdf, brief.pptx, brief.docx
        "dashboard/ui/sections/awards/board.py": 1,  # awards.xlsx
        "dashboard/ui/sections/development/board.py": 1,  # development.xlsx
        "dashboard/ui/chart.py": 1,  # chart PNGs (images)
        "dashboard/ui/sections/admin/audit.py": 1,  # audit_events.csv
        "dashboard/ui/sections/cases/story.py": 1,  # case.pdf
        "dashboard/ui/sections/ledger/table.py": 1,  # enterprise_ledger.xlsx
        "dashboard/ui/sections/meetings/board.py": 2,  # action_items.xlsx, action_items.csv
        "dashboard/ui/sections/imports/template.py": 3,  # the ledger template (.xlsx, CSV zip), the ledger export
        "dashboard/ui/sections/imports/outcome.py": 1,  # import_problems.xlsx
        "dashboard/ui/sections/coverage_map/statistics.py": 2,  # coverage_statistics .xlsx, .pdf
        "dashboard/ui/sections/campaigns/leads.py": 1,  # founding_leads.xlsx
    }, sites
    writers = [str(p.relative_to(ROOT)) for p in (ROOT / "dashboard").rglob("*.py")
               if re.search(r"\.to_csv\(|csv\.writer\(", p.read_text(encoding="utf-8"))]
    assert writers == ["dashboard/exports/cells.py"], "every CSV is written by exports.cells.csv_bytes"


def test_the_ledger_export_and_the_problems_workbook_neutralise_formulas(planted):
    """The import page's downloads: the ledger export (as admin: every planted name, neutralised;
    as a township account: nothing of another township) and the problems workbook, which echoes
    what an uploaded file held."""
    import datetime as dt
    import zipfile

    from dashboard.ledgerfile.errors import problems_workbook
    from dashboard.ledgerfile.workbook import ledger_workbook

    files = files_of("admin", [("imports", {})])
    export = next(data for name, data in files.items() if name.startswith("ledger_export_"))
    assert formula_problems("export.xlsx", export) == []
    values = {v for _, v, _ in cells("export.xlsx", export)}
    for name in ENTERPRISE_NAMES:
        assert name in values, name
    with zipfile.ZipFile(io.BytesIO(files["ledger_template_csv.zip"])) as zf:
        for member in zf.namelist():
            assert formula_problems(member, zf.read(member)) == []
    own = files_of("yuebei", [("imports", {})])
    own_export = next(data for name, data in own.items() if name.startswith("ledger_export_"))
    assert OUTSIDE not in text_of("export.xlsx", own_export) and ENTERPRISE_NAMES[1] in text_of("e.xlsx", own_export)

    upload = ledger_workbook({"enterprises": [{"uscc": "=1+1", "name": ENTERPRISE_NAMES[0], "township": "@x",
                                               "registered_on": dt.date(2001, 1, 1)}]})
    problems = [__import__("dashboard.ledgerfile.problems", fromlist=["Problem"]).Problem(
        "企业", 2, "统一社会信用代码", "=1+1", "统一社会信用代码应为 18 位", "18 characters")]
    report = problems_workbook([("bad.xlsx", upload)], problems)
    assert formula_problems("problems.xlsx", report) == []
    assert "=1+1" in {v for _, v, _ in cells("problems.xlsx", report)}


def test_the_coverage_statistics_files_hold_the_scope_only(planted):
    files = files_of("yuebei", [("coverage_map", {})])
    book = next(data for name, data in files.items() if name.startswith("coverage_statistics_") and name.endswith(".xlsx"))
    assert formula_problems("stat.xlsx", book) == []
    text = text_of("stat.xlsx", book)
    assert "越北镇" in text and "青岚街道" not in text
    pdf = next(data for name, data in files.items() if name.endswith(".pdf"))
    assert "青岚街道" not in text_of("stat.pdf", pdf)
    district = files_of("leader", [("coverage_map", {})])
    assert "青岚街道" in text_of("stat.xlsx", next(d for n, d in district.items() if n.endswith(".xlsx")))
