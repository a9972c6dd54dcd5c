"""AppTest of the admin page's 推送 tab: without a set-up it says how to make one; a wrong set-up
is one sentence; with one it lists the channels (never a robot key) and the schedule, sends a test
message to a real local webhook from the button and shows it in the send log, and a message that
failed every attempt is reported above the log."""

from __future__ import annotations

import datetime as dt

from dashboard.i18n import t
from tests.app.test_admin_page import admin_page, button, ok, own_db  # noqa: F401
from tests.push.test_push import webhook_server  # noqa: F401


def write_config(tmp_path, monkeypatch, text: str):
    from models.settings import get_settings

    path = tmp_path / "push.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("DANGONG_PUSH_CONFIG", str(path))
    get_settings.cache_clear()
    return path


def texts(at) -> str:
    return " ".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
                    + [e.value for e in at.error] + [w.value for w in at.warning] + [s.value for s in at.success])


def test_without_a_set_up_the_tab_says_how_to_make_one(own_db, monkeypatch):  # noqa: F811
    from models.settings import get_settings

    monkeypatch.delenv("DANGONG_PUSH_CONFIG", raising=False)
    get_settings.cache_clear()
    at = admin_page()
    assert "DANGONG_PUSH_CONFIG" in texts(at)


def test_a_wrong_set_up_is_one_sentence(own_db, tmp_path, monkeypatch):  # noqa: F811
    write_config(tmp_path, monkeypatch, '[[channel]]\nname = "x"\nkind = "wecom"\n')
    at = admin_page()
    errors = [e.value for e in at.error]
    assert errors and "needs 'url'" in errors[0] and errors[0].startswith(t("push.admin.bad", "zh_CN", error="")[:6])


def test_an_admin_sends_a_test_message_and_reads_the_log(own_db, tmp_path, monkeypatch, webhook_server):  # noqa: F811
    write_config(tmp_path, monkeypatch, f"""
base_url = "https://dangong.test"
[schedule]
meetings = [2027-01-15]
[[channel]]
name = "yuebei"
kind = "wecom"
url = "{webhook_server.url}/cgi-bin/webhook/send?key=SECRETKEY"
townships = ["YB"]
sends = ["summary"]
""")
    at = admin_page()
    channels = [d.value for d in at.dataframe if t("push.col.kind", "zh_CN") in d.value.columns][0]
    assert channels.iloc[0].tolist() == ["yuebei", "企业微信群机器人", f"127.0.0.1:{webhook_server.url.rsplit(':', 1)[1]}",
                                         "越北镇", "周报/月报"]
    assert "SECRETKEY" not in channels.to_csv()
    assert "2027年1月15日" in texts(at) and t("push.admin.log_empty", "zh_CN") in texts(at)
    at.selectbox(key="push_test_channel").set_value("yuebei")
    button(at, t("push.admin.test", "zh_CN")).click().run()
    ok(at)
    host = webhook_server.url.removeprefix("http://")
    assert [s.value for s in at.success] == [t("push.admin.test_sent", "zh_CN", channel="yuebei",
                                               receipt=f"{host} HTTP 200")]
    assert len(webhook_server.bodies) == 1
    content = webhook_server.bodies[0]["markdown"]["content"]
    assert "（admin 发起）" in content and "越北镇" in content  # the channel's scope, by name
    log = [d.value for d in at.dataframe if t("push.col.key", "zh_CN") in d.value.columns][0]
    assert log.iloc[0][t("push.col.status", "zh_CN")] == "已发送" and log.iloc[0][t("push.col.key", "zh_CN")].startswith(
        "test:yuebei:now:")
    # the robot breaks: the test message is refused, said next to the button, and the log reports it
    # failed at once (a test is not retried: the admin has the answer)
    webhook_server.status = 500
    button(at, t("push.admin.test", "zh_CN")).click().run()
    assert [e.value for e in at.error] == [t("push.admin.test_failed", "zh_CN", channel="yuebei",
                                             error=f"{host} 返回 HTTP 500")]
    assert t("push.admin.failed", "zh_CN", n=1) in texts(at)
    log = [d.value for d in at.dataframe if t("push.col.key", "zh_CN") in d.value.columns][0]
    top = log.iloc[0]
    assert top[t("push.col.status", "zh_CN")] == t("push.status.failed", "zh_CN") and top[t("push.col.attempts", "zh_CN")] == 1
    assert top[t("push.col.error", "zh_CN")] == f"{host} 返回 HTTP 500" and "SECRETKEY" not in log.to_csv()
    assert log.iloc[1][t("push.col.status", "zh_CN")] == "已发送"
    # a scheduled message that failed every attempt is reported the same way, the newest first
    from dashboard.push.config import load
    from dashboard.push.run import Report, deliver, enqueue
    from models.db import make_engine
    from models.settings import get_settings

    engine, cfg = make_engine(get_settings().database_url), load(get_settings().push_config)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    enqueue(engine, "summary:yuebei:2099-W01", "yuebei", "summary", dt.date(2026, 12, 1), {"period": "weekly"}, later)
    for k in range(5):
        deliver(engine, cfg, later + dt.timedelta(hours=k * 7), Report())
    at.run()
    assert t("push.admin.failed", "zh_CN", n=2) in texts(at)
    log = [d.value for d in at.dataframe if t("push.col.key", "zh_CN") in d.value.columns][0]
    row = log[log[t("push.col.key", "zh_CN")] == "summary:yuebei:2099-W01"].iloc[0]
    assert row[t("push.col.status", "zh_CN")] == "失败" and row[t("push.col.attempts", "zh_CN")] == 5
