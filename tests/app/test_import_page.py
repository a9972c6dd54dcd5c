"""AppTest of 数据导入 (/import) on a copy of the demo district of each test's own (an import
writes): the page and its downloads, who may open it, a bad file (every problem, nothing written),
a good file (the diff, the commit, the batch, the undo) and a township account's scope.

Uploads go through AppTest's own ``file_uploader(...).set_value`` (Streamlit ≥ 1.5x): no seam."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from dashboard.queries.scope import Scope
from dashboard.edits.ledger_import import files_digest
from dashboard.ui.sections.imports.upload import OUTCOME_KEY
from models.rules import make_uscc
from tests.app.test_overview import APP, run
from tests.factories import DEMO_TODAY, table_counts

PAGE = "app_pages/imports.py"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NEW_USCC = make_uscc(division="220299", serial=990001)


@pytest.fixture
def own_app(demo_template, tmp_path, monkeypatch):
    """The app on a copy of the demo of this test's own; yields an engine on it."""
    from models.db import make_engine
    from models.settings import get_settings

    url = demo_template.copy(tmp_path / "import.sqlite")
    monkeypatch.setenv("DANGONG_DATABASE_URL", url)
    get_settings.cache_clear()
    engine = make_engine(url)
    yield engine
    engine.dispose()


def import_page(user: str = "admin", **params) -> AppTest:
    at = run(_user=user, **params)
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    at.file_uploader[0].set_value([(name, content, XLSX) for name, content in files])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(elements) -> str:
    return " ".join(e.value for e in elements)


def ledger_counts(engine) -> dict[str, int]:
    """Rows of every table but the audit log (signing in is not under test)."""
    return {k: v for k, v in table_counts(engine).items() if k != "audit_event"}


def yuebei_file(engine) -> tuple[bytes, str]:
    """The export of 越北镇 with one enterprise renamed and one new enterprise; (file, old name)."""
    from dashboard.ledgerfile.export import ledger_rows
    from dashboard.ledgerfile.workbook import ledger_workbook

    with engine.connect() as conn:
        yb = conn.execute(sa.text("SELECT id FROM township WHERE code = 'YB'")).scalar_one()
        rows = {k: list(v) for k, v in ledger_rows(conn, Scope.townships([yb])).items()}
    first = rows["enterprises"][0]
    old = first["name"]
    first["name"] = old + "更名"
    rows["enterprises"].append({**first, "uscc": NEW_USCC, "name": "吉林市导入测试有限公司", "union_members": None,
                                "registered_on": dt.date(2020, 3, 1), "closed_on": None})
    return ledger_workbook(rows), old


# --------------------------------------------------------------------------- the page and who sees it


def test_admin_sees_the_page_with_its_downloads(own_app):
    at = import_page()
    assert [s.value for s in at.subheader] == ["数据导入"]
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["下载导入模板（Excel）", "下载导入模板（CSV，每表一个，压缩包）", "导出现有台账（Excel，可修改后再导入）"]
    assert at.file_uploader[0].accept_multiple_files
    assert set(at.file_uploader[0].allowed_type) >= {".xlsx", ".csv", ".xls", ".xlsb"}
    assert "还没有导入批次" in texts(at.info)
    assert "import_check" not in [b.key for b in at.button]  # nothing to check before an upload


def test_the_template_downloads_are_the_ledgerfile_template():
    from dashboard.ledgerfile.workbook import csv_zip, ledger_csvs
    from dashboard.ui.sections.imports import template

    book = openpyxl.load_workbook(io.BytesIO(template.template_xlsx()))
    assert book.sheetnames[:3] == ["说明", "乡镇街道", "企业"]
    assert template.template_xlsx() is template.template_xlsx()  # built once
    assert template.template_csv_zip() == csv_zip(ledger_csvs(example=True))


def test_the_export_is_the_users_own_scope(own_app):
    from dashboard.ui.sections.imports.template import export_xlsx

    with own_app.connect() as conn:
        yb = conn.execute(sa.text("SELECT id FROM township WHERE code = 'YB'")).scalar_one()
    url = own_app.url.render_as_string(hide_password=False)
    book = openpyxl.load_workbook(io.BytesIO(export_xlsx(url, Scope.townships([yb]), dt.date(2026, 11, 24))))
    towns = {r[2] for r in book["企业"].iter_rows(min_row=2, values_only=True)}
    assert towns == {"越北镇"}


@pytest.mark.parametrize("user, shown", [("admin", True), ("staff", True), ("yuebei", True), ("leader", False)])
def test_the_nav_entry_is_for_importers_only(own_app, user, shown):
    at = run(_user=user)
    if shown:
        at.switch_page(PAGE).run()
        assert not at.exception and [s.value for s in at.subheader] == ["数据导入"]
    else:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(PAGE)


def test_a_leader_running_the_page_is_refused(own_app):
    """The page checks the role itself (a page script reached some other way still refuses)."""
    from pathlib import Path

    from dashboard.ui.auth import CurrentUser
    from dashboard.ui.state import Filters
    from models.enums import Role

    at = AppTest.from_file(str(Path(APP).parent / PAGE), default_timeout=60)
    at.session_state["user"] = CurrentUser(1, "leader", "领导", Role.LEADER, Scope.district())
    at.session_state["filters"] = Filters(Scope.district(), (), dt.date(2026, 11, 24), "zh_CN")
    at.run()
    assert "您的角色无权使用此页面" in texts(at.error)
    assert not at.file_uploader and not at.get("download_button")


# --------------------------------------------------------------------------- checking and importing


def test_a_bad_file_lists_every_problem_and_writes_nothing(own_app):
    from dashboard.ledgerfile.workbook import ledger_workbook

    bad = ledger_workbook({"enterprises": [
        {"uscc": "123", "name": "坏企业", "township": "YB", "ownership": "私营", "registered_on": dt.date(2020, 3, 1),
         "employees": 4, "party_members": 1, "census_on": dt.date(2025, 6, 30)},
        {"uscc": NEW_USCC, "name": "", "township": "没有这个镇", "ownership": "私营",
         "registered_on": dt.date(2020, 3, 1), "employees": 4, "party_members": 1, "census_on": dt.date(2025, 6, 30)},
    ]})
    before = ledger_counts(own_app)
    at = upload(import_page(), ("bad.xlsx", bad))
    assert not at.dataframe  # nothing checked before the button (and no batch yet)
    click(at, "import_check")
    assert "个问题，未写入任何数据" in texts(at.error)
    problems = at.dataframe[0].value
    assert list(problems.columns) == ["工作表", "行", "列", "值", "原因"]
    reasons = " ".join(problems["原因"])
    assert "统一社会信用代码应为 18 位，实际为 3 位" in reasons
    assert set(problems["行"]) >= {2, 3}
    assert "下载问题工作簿（问题单元格标红）" in [b.label for b in at.get("download_button")]
    assert not [b for b in at.button if b.key == "import_commit"]
    assert ledger_counts(own_app) == before
    # a rerun shows the kept outcome without checking again
    at.run()
    assert "个问题，未写入任何数据" in texts(at.error)


def test_a_good_file_shows_the_diff_then_imports_then_undoes(own_app):
    content, old_name = yuebei_file(own_app)
    before = ledger_counts(own_app)
    at = upload(import_page(), ("越北镇.xlsx", content))
    click(at, "import_check")
    held = at.session_state[OUTCOME_KEY]
    assert held["sha256"] == held["outcome"].sha256 == files_digest([("越北镇.xlsx", content)])
    diff = at.dataframe[0].value
    yb = diff[diff["乡镇街道"] == "越北镇"].iloc[0]
    assert yb["新增企业"] == 1 and yb["企业信息变更"] == 1
    assert diff.iloc[-1]["乡镇街道"] == "合计"
    metrics = {m.label: m for m in at.metric}
    assert "在营企业数" in metrics and "建会率" in metrics
    assert metrics["在营企业数"].delta == "+1"
    assert "以上为检查结果，尚未写入。" in texts(at.caption)
    assert ledger_counts(own_app) == before  # the check wrote nothing

    click(at, "import_commit")
    assert "已导入，批次 1" in texts(at.success)
    with own_app.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM enterprise WHERE uscc = :u"), {"u": NEW_USCC}).scalar_one() == 1
        assert conn.execute(sa.text("SELECT COUNT(*) FROM enterprise WHERE name = :n"),
                            {"n": old_name + "更名"}).scalar_one() == 1
        assert conn.execute(sa.text("SELECT username, undone_at FROM import_batch")).all() == [("admin", None)]
    assert not at.file_uploader[0].value  # emptied for the next file
    batches = at.dataframe[-1].value
    assert list(batches["批次"]) == [1] and list(batches["状态"]) == ["有效"]
    assert "新增企业 1" in batches["变化"].iloc[0]

    click(at, "import_undo")
    assert "已撤销第 1 批。" in texts(at.success)
    # the derived monthly summary may have gained the months up to the real today (the refresh writes
    # them); the months the demo had are as many as before — the ledger's own tables exactly as before
    after = ledger_counts(own_app)
    with own_app.connect() as conn:
        last = conn.execute(sa.text("SELECT max(month) FROM coverage_month WHERE month <= :d"),
                            {"d": DEMO_TODAY}).scalar()
        kept = conn.execute(sa.text("SELECT count(*) FROM coverage_month WHERE month <= :m"), {"m": last}).scalar_one()
    assert kept == before["coverage_month"] and after["coverage_month"] >= kept
    assert after == {**before, "import_batch": 1, "data_version": after["data_version"],
                     "coverage_month": after["coverage_month"]}
    with own_app.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM enterprise WHERE name = :n"), {"n": old_name}).scalar_one() == 1
    state = at.dataframe[-1].value["状态"].iloc[0]
    assert state.startswith("已撤销（admin，")
    assert not [b for b in at.button if b.key == "import_undo"]  # nothing left to undo


def test_the_same_file_again_changes_nothing(own_app):
    content, _ = yuebei_file(own_app)
    at = upload(import_page(user="staff"), ("yb.xlsx", content))
    click(at, "import_check")
    click(at, "import_commit")
    at = upload(at, ("yb.xlsx", content))
    click(at, "import_check")
    assert "文件与数据库一致，没有任何变化，无需导入。 同一文件已于第 1 批导入过。" in texts(at.info)
    assert not [b for b in at.button if b.key == "import_commit"]


def test_a_township_account_imports_its_own_township_only(own_app):
    from dashboard.ledgerfile.workbook import ledger_workbook

    at = import_page(user="yuebei")
    assert "您的账号只能导入本人负责乡镇街道的数据：越北镇" in texts(at.caption)
    other = ledger_workbook({"enterprises": [
        {"uscc": NEW_USCC, "name": "别的街道的企业", "township": "QL", "ownership": "私营",
         "registered_on": dt.date(2020, 3, 1), "employees": 4, "party_members": 1, "census_on": dt.date(2025, 6, 30)}]})
    upload(at, ("ql.xlsx", other))
    click(at, "import_check")
    assert "不在您负责的乡镇街道范围内" in " ".join(at.dataframe[0].value["原因"])
    content, _ = yuebei_file(own_app)
    upload(at, ("yb.xlsx", content))
    click(at, "import_check")
    click(at, "import_commit")
    assert "已导入，批次 1" in texts(at.success)
    assert list(at.dataframe[-1].value["账号"]) == ["yuebei"]
    assert not [b for b in at.button if b.key == "import_undo"]  # administrators and staff undo


def test_the_page_in_english(own_app):
    at = import_page(lang="en")
    assert [s.value for s in at.subheader] == ["Data import"]
    assert at.file_uploader[0].label == "Choose the ledger file (.xlsx, or the sheets' .csv files)"


def test_a_busy_database_is_one_sentence_and_the_upload_stays(own_app, monkeypatch):
    from dashboard.ui.sections.imports import upload as section

    content, _ = yuebei_file(own_app)
    at = upload(import_page(), ("yb.xlsx", content))
    real = section.import_files

    def busy(*args, **kwargs):
        raise sa.exc.TimeoutError("QueuePool limit reached")

    monkeypatch.setattr(section, "import_files", busy)
    click(at, "import_check")
    assert texts(at.error) == "数据库繁忙，请稍后重试。"
    assert at.file_uploader[0].value and OUTCOME_KEY not in at.session_state
    monkeypatch.setattr(section, "import_files", real)
    click(at, "import_check")
    monkeypatch.setattr(section, "import_files", busy)
    click(at, "import_commit")
    assert texts(at.error) == "未保存：数据库繁忙，请稍后重试。"
    assert "3. 将要发生的变化" in texts(at.markdown)  # the check is still on screen, the commit can be tried again
    with own_app.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM import_batch")).scalar_one() == 0
