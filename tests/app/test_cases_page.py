"""AppTest of 典型案例 (/cases): the seed facts of DESIGN.md §5 items 5–6 on the pages of 红光 and
德运, honours shown = honours stored, the gallery's township filter and scope, untrusted case ids,
the PDF offered, and a staff designation through the page (on a private copy of the database)."""

from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from seed_data import facts
from tests.fonts import needs_font
from tests.app.test_overview import APP, user_id

SNAP = "2002-12-31"



def enterprise_ids(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT name, id FROM enterprise")).all()
    engine.dispose()
    return dict(rows)


def cases_page(user="leader", **params):
    """/cases opened directly (a deep link: no run of the overview first), signed in as ``user``
    as the login form would (its ``url_path`` is the file's name, so the page can be picked
    before the first run)."""
    from streamlit.testing.v1 import AppTest

    from dashboard.i18n import t
    from dashboard.ui.auth import USER_KEY

    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state[USER_KEY] = user_id(os.environ["DANGONG_DATABASE_URL"], user)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page("app_pages/cases.py").run()
    assert not at.exception, [e.value for e in at.exception]
    loc = "en" if params.get("lang") == "en" else "zh_CN"
    assert any(b.key == "cases_back" for b in at.button) or t("cases.title", loc) in [s.value for s in at.subheader], \
        "not the cases page"  # a case, or the gallery
    return at


def case_of(name: str, user="leader", **params):
    ids = enterprise_ids(os.environ["DANGONG_DATABASE_URL"])
    return cases_page(user, case=str(ids[name]), **params)


def page_text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info] + \
        [s.value for s in at.subheader]
    return "\n".join(parts).replace("\\", "")  # Markdown escapes of data, as a reader sees the text


def gallery_names(at, url: str) -> set[str]:
    names = set(enterprise_ids(url))
    return {m.value.strip("*") for m in at.markdown if m.value.startswith("**") and m.value.strip("*") in names}


def chart_labels(at) -> list[str]:
    """The row labels of the (first) timeline chart, read from the Arrow data Streamlit sends."""
    import pyarrow as pa

    chart = next(iter(at.get("vega_lite_chart")))
    frames = [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in chart.proto.datasets]
    frame = next(f for f in frames if "label" in f.columns)
    return list(frame.sort_values("order")["label"])


def table(at, first_column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if d.value.columns[0] == first_column)


def test_hongguang_union_1999_branch_2001_one_person_owner_not_a_member(app_env):
    at = case_of(facts.HONGGUANG, asof=SNAP)
    text = page_text(at)
    assert at.subheader[0].value == facts.HONGGUANG
    assert "先建工会（1999年），后建党支部（2001年）" in text
    assert "1999年6月12日成立" in text and "2001年7月1日成立" in text
    assert "**书记主席一肩挑**：党支部书记" in text and "兼任工会主席" in text
    assert "**企业老板**：不是党员" in text
    assert "**企业类型**：私营企业" in text
    # the story, faithful to the source, in Simplified Chinese
    assert "1999年先建起工会委员会，促进党支部于2001年建起来" in text and "企业老板虽不是党员" in text
    # the timeline chart has the union of 1999 before the branch of 2001
    labels = chart_labels(at)
    assert labels.index("1999年6月12日  工会成立") < labels.index("2001年7月1日  党组织成立")
    assert labels[0] == "1998年4月8日  注册成立"


def test_deyun_general_branch_before_union_and_its_four_honours(app_env):
    at = case_of(facts.DEYUN, asof=SNAP)
    text = page_text(at)
    assert "先建党总支（1998年），后建工会（1999年）" in text and "**企业类型**：改制企业" in text
    assert "改制后先建党总支，后建工会" in text
    honours = table(at, "荣誉名称")
    shown = set(zip(honours["荣誉名称"], honours["级别"], honours["获奖主体"], honours["授予单位"], strict=True))
    assert shown == {("先进基层党组织", "区级", "党组织", "中共##区委"), ("先进企业", "市级", "企业", "吉林市人民政府"),
                     ("模范职工之家", "省级", "工会", "吉林省总工会"), ("五星级样板职代会", "市级", "工会", "吉林市总工会")}
    assert "市级以上荣誉：省级模范职工之家（2002年）" in text  # why it is a model
    acts = table(at, "季节")
    assert list(acts.loc[acts["季节"] == "春夏季", "活动"]) == ["消夏晚会、水球赛、钓鱼赛、登山赛"]
    assert list(acts.loc[acts["季节"] == "秋冬季", "活动"]) == ["联欢会、拔河赛、运动会、台球赛、雪地足球赛"]
    # the comparison states its denominator
    metrics = {m.label: m for m in at.metric}
    assert set(metrics) == {"入会率", "近 12 个月活动次数", "推荐入党积极分子（人）"}
    assert "已建会企业" in metrics["入会率"].help


@needs_font
def test_the_case_page_offers_the_pdf(app_env):
    at = case_of(facts.DEYUN, asof=SNAP)
    assert any(b.label == "打印一页纸案例（PDF）" for b in at.get("download_button"))


def test_without_a_cjk_font_the_page_says_so_instead_of_a_pdf(app_env, monkeypatch, tmp_path):
    from models.settings import get_settings

    monkeypatch.setenv("DANGONG_CJK_FONT", str(tmp_path / "missing.ttc"))
    get_settings.cache_clear()
    at = case_of(facts.DEYUN, asof=SNAP)
    assert not any(b.label == "打印一页纸案例（PDF）" for b in at.get("download_button"))
    assert any("暂时无法生成 PDF" in w.value and "DANGONG_CJK_FONT" in w.value for w in at.warning)


def test_every_honour_shown_exists_in_the_database(app_env):
    ids = enterprise_ids(app_env)
    engine = sa.create_engine(app_env)
    with engine.connect() as conn:
        honoured = [r[0] for r in conn.execute(sa.text(
            "SELECT DISTINCT enterprise_id FROM honor WHERE level IN ('municipal', 'provincial', 'national') "
            "ORDER BY enterprise_id LIMIT 3"))]
        stored = {(r.enterprise_id, r.title, r.level, r.awarding_body, str(r.year)) for r in conn.execute(sa.text(
            "SELECT enterprise_id, title, level, awarding_body, year FROM honor"))}
    engine.dispose()
    levels = {"区级": "district", "市级": "municipal", "省级": "provincial", "全国": "national"}
    checked = 0
    for eid in {ids[facts.DEYUN], *honoured}:
        at = cases_page(case=str(eid))
        honours = table(at, "荣誉名称")
        for row in honours.itertuples(index=False):
            assert (eid, row[0], levels[row[1]], row[2], row[3]) in stored
            checked += 1
    assert checked >= 6
    # the cards of the gallery, too: every honour line names a stored honour of that enterprise
    at = cases_page()
    lines = [line for c in at.caption for line in c.value.split("  \n") if line.count(" · ") == 2]
    titles = {title for _, title, _, _, _ in stored}
    assert lines and all(line.split(" · ")[1] in titles for line in lines)


def test_gallery_obeys_the_township_filter(app_env):
    everything = gallery_names(cases_page(), app_env)
    assert set(facts.MODEL_ENTERPRISES) <= everything and len(everything) > 4
    qingl = gallery_names(cases_page(town=["QL"]), app_env)
    assert facts.DEYUN in qingl and facts.HONGGUANG not in qingl and qingl < everything
    at = cases_page(town=["YB"], asof=SNAP)
    assert gallery_names(at, app_env) == set()
    assert any("所选乡镇/街道暂无典型企业" in i.value for i in at.info)


def test_township_user_sees_only_yuebei_and_the_url_does_not_widen_it(app_env):
    engine = sa.create_engine(app_env)
    with engine.connect() as conn:
        yb = {r[0] for r in conn.execute(sa.text(
            "SELECT e.name FROM enterprise e JOIN township t ON t.id = e.township_id WHERE t.code = 'YB'"))}
    engine.dispose()
    at = cases_page(user="yuebei")
    names = gallery_names(at, app_env)
    assert names and names <= yb
    widened = cases_page(user="yuebei", town=["QL"])
    assert gallery_names(widened, app_env) == names
    assert any("QL" in w.value for w in widened.warning)
    # a case of another township by URL: a notice and the gallery, nothing of 德运
    deyun = case_of(facts.DEYUN, user="yuebei")
    assert any("无效" in w.value for w in deyun.warning)
    assert facts.DEYUN not in page_text(deyun) and gallery_names(deyun, app_env) == names


def test_untrusted_case_ids_fall_back_to_the_gallery(app_env):
    ids = enterprise_ids(app_env)
    engine = sa.create_engine(app_env)
    with engine.connect() as conn:
        plain = conn.execute(sa.text(
            "SELECT e.name FROM enterprise e WHERE NOT EXISTS (SELECT 1 FROM honor h WHERE h.enterprise_id = e.id) "
            "AND NOT EXISTS (SELECT 1 FROM model_designation m WHERE m.enterprise_id = e.id) ORDER BY e.id LIMIT 1"
        )).scalar_one()
    engine.dispose()
    # "²" passes str.isdigit() and int() refuses it; "٣" and "１" pass both (int reads 3 and 1): ASCII only
    for value in ("abc", "-1", "1e3", "99999999", str(ids[plain]), "<script>", "1; DROP TABLE honor", "²", "٣", "１",
                  "1" * 30, f"{ids[facts.DEYUN]}\n", f" {ids[facts.DEYUN]}"):
        at = cases_page(case=value)
        assert any("无效" in w.value for w in at.warning), value
        assert at.subheader[0].value == "典型案例"
        assert plain not in page_text(at).split("**")  # not shown as a card either


def test_leader_never_sees_the_designation_form_staff_does(app_env):
    for user, present in (("leader", False), ("staff", True), ("admin", True), ("yuebei", False)):
        gallery = cases_page(user=user)
        assert any(e.label == "典型认定（工作人员）" for e in gallery.expander) is present, user
    case = case_of(facts.DEYUN, user="leader")
    assert not any(e.label == "典型认定（工作人员）" for e in case.expander)
    assert not [b for b in case.button if b.label == "取消典型"]


def test_designation_record_in_beijing_time_labelled(app_env):
    """The demo's staff designated 红光 on 2002-12-31 09:00 UTC: the record says 17:00 Beijing time."""
    at = case_of(facts.HONGGUANG, user="staff", asof=SNAP)
    record = table(at, "时间（北京时间）")
    assert list(record["时间（北京时间）"]) == ["2002-12-31 17:00"] and list(record["操作"]) == ["指定"]
    en = case_of(facts.HONGGUANG, user="staff", asof=SNAP, lang="en")
    assert list(table(en, "When (Beijing time, UTC+8)")["When (Beijing time, UTC+8)"]) == ["2002-12-31 17:00"]


def test_english_case_page(app_env):
    at = case_of(facts.HONGGUANG, asof=SNAP, lang="en")
    text = page_text(at)
    assert "Union first (1999), then the Party branch (2001)" in text
    assert "**Owner**: not a Party member" in text and "**One person, both posts**" in text
    assert "set up its union committee first, in 1999, which led to a Party branch in 2001" in text


def test_staff_designates_through_the_page_one_row_one_audit_event(app_env, monkeypatch, tmp_path):
    from models.settings import get_settings

    copy = tmp_path / "copy.sqlite"
    shutil.copy(make_url(app_env).database, copy)
    url = f"sqlite:///{copy}"
    monkeypatch.setenv("DANGONG_DATABASE_URL", url)
    get_settings.cache_clear()

    engine = sa.create_engine(url)
    count = lambda table: engine.connect().execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()  # noqa: E731
    with engine.connect() as conn:
        target = conn.execute(sa.text(
            "SELECT name FROM enterprise e WHERE closed_on IS NULL AND NOT EXISTS "
            "(SELECT 1 FROM honor h WHERE h.enterprise_id = e.id) AND NOT EXISTS "
            "(SELECT 1 FROM model_designation m WHERE m.enterprise_id = e.id) ORDER BY id LIMIT 1")).scalar_one()
    rows, events = count("model_designation"), count("audit_event")
    at = cases_page(user="staff")
    assert target not in gallery_names(at, url)
    at.text_input(key="cases_search").input(target).run()
    at.text_area(key="cases_designate_reason").input("   ")  # typed, then the form submitted
    at.button[[b.label for b in at.button].index("指定为典型")].click().run()
    assert any("请填写理由" in e.value for e in at.error)
    assert (count("model_designation"), count("audit_event")) == (rows, events)  # refused: nothing written
    at.text_area(key="cases_designate_reason").input("荣获全国模范职工之家（演示）")
    at.button[[b.label for b in at.button].index("指定为典型")].click().run()
    assert not at.exception
    assert (count("model_designation"), count("audit_event")) == (rows + 1, events + 1)
    assert any("已指定为典型企业" in s.value for s in at.success)
    assert target in gallery_names(at, url)  # caches cleared: the card is there
    with engine.connect() as conn:
        action, who = conn.execute(sa.text("SELECT action, username FROM audit_event ORDER BY id DESC LIMIT 1")).one()
    engine.dispose()
    assert (action, who) == ("model.designate", "staff")


def test_staff_removes_a_model_through_the_page_and_lands_on_the_gallery(app_env, monkeypatch, tmp_path):
    """The removal goes through the one edit runner: a reason is required, then one row and one audit
    event, the case closes (it is no longer a model) and the gallery says so."""
    from models.settings import get_settings

    copy = tmp_path / "copy.sqlite"
    shutil.copy(make_url(app_env).database, copy)
    url = f"sqlite:///{copy}"
    monkeypatch.setenv("DANGONG_DATABASE_URL", url)
    get_settings.cache_clear()
    engine = sa.create_engine(url)
    count = lambda table: engine.connect().execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()  # noqa: E731
    rows, events = count("model_designation"), count("audit_event")

    at = case_of(facts.HONGGUANG, user="staff")
    assert at.subheader[0].value == facts.HONGGUANG
    at.button[[b.label for b in at.button].index("取消典型")].click().run()
    assert any("请填写理由" in e.value for e in at.error)
    assert (count("model_designation"), count("audit_event")) == (rows, events)
    at.text_area(key="cases_remove_reason").input("已停产（演示）")
    at.button[[b.label for b in at.button].index("取消典型")].click().run()
    assert not at.exception
    assert (count("model_designation"), count("audit_event")) == (rows + 1, events + 1)
    assert "case" not in at.query_params and at.subheader[0].value == "典型案例"  # back on the gallery
    assert any("已取消典型认定" in s.value for s in at.success)
    assert facts.HONGGUANG not in gallery_names(at, url)
    engine.dispose()
