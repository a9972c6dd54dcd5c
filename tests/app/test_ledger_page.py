"""AppTest of the ledger page and its Excel export (read back with openpyxl)."""

from __future__ import annotations

import datetime as dt
import io
import os

import openpyxl

from dashboard.queries.ledger import LedgerQuery
from dashboard.queries.scope import Scope
from tests.app.test_overview import run


def ledger_page(user="leader", **params):
    at = run(_user=user, **params)
    at.switch_page("app_pages/ledger.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_ledger_lists_pages_and_searches(app_env):
    at = ledger_page(asof="2002-12-31")
    assert at.caption[0].value.startswith("共 650 家")
    first = at.dataframe[0].value
    assert len(first) == 50
    at.text_input(key="ledger_search").input("红光").run()
    rows = at.dataframe[0].value
    assert list(rows["企业名称"]) == ["吉林市红光热能设备有限责任公司"]
    assert rows["组建模式"].iloc[0] == "一会一支"


def test_detail_shows_the_history_of_hongguang(app_env):
    at = ledger_page(asof="2002-12-31")
    at.text_input(key="ledger_search").input("红光").run()
    key = at.dataframe[0].key  # the table's key changes with the result, so a selection never outlives it
    assert key and key.startswith("ledger_table_")
    at.session_state[key] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    history = at.dataframe[-1].value
    kinds = list(history["事项"])
    assert kinds.index("工会成立") < kinds.index("党组织成立")
    assert history.loc[history["事项"] == "工会成立", "日期"].iloc[0].startswith("1999年")
    assert history.loc[history["事项"] == "党组织成立", "日期"].iloc[0].startswith("2001年")


def test_ledger_and_detail_in_english(app_env):
    at = ledger_page(asof="2002-12-31", lang="en")
    assert at.caption[0].value.startswith("650 operating enterprises")
    rows = at.dataframe[0].value
    assert list(rows.columns)[:3] == ["Enterprise", "USCC", "Township"] and "Liaison officer" in rows.columns
    at.text_input(key="ledger_search").input("红光").run()
    at.session_state[at.dataframe[0].key] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    assert [m.label for m in at.metric] == ["Pattern", "Employees", "Party members", "Township"]
    assert at.metric[0].value == "Union + branch"
    history = at.dataframe[-1].value
    assert list(history.columns) == ["Date", "Event", "Name", "Detail"]
    assert "Union founded" in set(history["Event"])
    assert any(c.value.startswith("USCC: ") for c in at.caption)


def test_township_user_ledger_holds_only_its_township(app_env):
    at = ledger_page(user="yuebei", asof="2002-12-31")
    # (above it, the caption of the new-enterprise form a township account sees)
    assert [c.value for c in at.caption if c.value.startswith("共 ")][0].startswith("共 43 家")  # 越北镇's operating
    # enterprises at the end of 2002
    rows = at.dataframe[0].value
    assert set(rows["乡镇/街道"]) == {"越北镇"}
    at.text_input(key="ledger_search").input("德运").run()  # 德运 is in another township
    assert "没有符合条件的企业" in " ".join(i.value for i in at.info)


def test_excel_export_matches_the_page_and_the_scope(app_env):
    from dashboard.ui.exports import ledger_workbook

    at = ledger_page(user="yuebei", asof="2002-12-31")
    shown = at.dataframe[0].value
    import sqlalchemy as sa

    from models.db import make_engine

    engine = make_engine(app_env)
    with engine.connect() as conn:
        yb = conn.execute(sa.text("SELECT id FROM township WHERE code = 'YB'")).scalar_one()
    engine.dispose()
    data = ledger_workbook(os.environ["DANGONG_DATABASE_URL"], Scope.townships([yb]), dt.date(2002, 12, 31),
                           LedgerQuery(page_size=50), "zh_CN", "yuebei", ())
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames[0] == "说明" and "企业台账" in book.sheetnames
    sheet = book["企业台账"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["企业名称", "统一社会信用代码", "乡镇/街道", "职工数", "党员数"]
    body = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert len(body) == 43 and {r[2] for r in body} == {"越北镇"}
    # the rows shown on the page are the first rows of the file, same values
    for i, row in enumerate(shown.itertuples(index=False)):
        assert body[i][:5] == [row[0], row[1], row[2], int(row[3]), int(row[4])]
    notes = {r[0].value: r[1].value for r in book["说明"].iter_rows() if r[0].value and len(r) > 1}
    assert any("2002年12月31日" == v for v in notes.values())
    assert any(v == "yuebei" for v in notes.values())
    assert notes.get("乡镇筛选") == "越北镇"  # the file says whose townships it holds, by name


def _cell(value):
    """An Excel cell as the screen has it: dates were written as dates (read back as datetimes)."""
    return value.date() if isinstance(value, dt.datetime) else value


def test_the_first_rows_of_the_excel_sheet_are_the_screen_table(app_env):
    """One table (``views.ledger.ledger_frame``) for the page and the file: same headers, same cells."""
    from dashboard.ui.exports import ledger_workbook

    for user, scope in (("leader", Scope.district()), ("yuebei", None)):
        at = ledger_page(user=user, asof="2002-12-31")
        shown = at.dataframe[0].value
        if scope is None:
            import sqlalchemy as sa

            from models.db import make_engine

            engine = make_engine(app_env)
            with engine.connect() as conn:
                scope = Scope.townships([conn.execute(sa.text("SELECT id FROM township WHERE code = 'YB'")).scalar_one()])
            engine.dispose()
        data = ledger_workbook(os.environ["DANGONG_DATABASE_URL"], scope, dt.date(2002, 12, 31),
                               LedgerQuery(page_size=50), "zh_CN", user, ())
        sheet = openpyxl.load_workbook(io.BytesIO(data))["企业台账"]
        rows = [[_cell(c.value) for c in row] for row in sheet.iter_rows()]
        assert rows[0] == list(shown.columns)
        assert len(shown) == (50 if user == "leader" else 43)
        screen = [[v.item() if hasattr(v, "item") else v for v in r] for r in shown.itertuples(index=False)]
        assert rows[1:len(screen) + 1] == screen
        assert any(v == "—" for r in screen for v in r)  # a missing organisation reads the same in both


def test_a_stale_row_selection_never_shows_another_enterprise_or_crashes(app_env):
    at = ledger_page(asof="2002-12-31")
    key = at.dataframe[0].key
    at.session_state[key] = {"selection": {"rows": [49], "columns": []}}  # the last row of page 1
    at.run()
    assert at.dataframe[-1].value is not None and len(at.dataframe) == 2  # detail shown
    at.text_input(key="ledger_search").input("红光").run()  # one row now: the old selection must not apply
    assert not at.exception and len(at.dataframe) == 1
    assert any("点击表格中的一行" in c.value for c in at.caption)


def test_an_overlong_search_is_a_warning_not_a_traceback(app_env):
    at = ledger_page(asof="2002-12-31")
    at.session_state["ledger_search"] = "企" * 150
    at.run()
    assert not at.exception
