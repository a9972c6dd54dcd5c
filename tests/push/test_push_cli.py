"""``dangong push run | send | preview | log`` on the brief tests' hand-made database (SQLite and
PostgreSQL), delivering to a real SMTP server (aiosmtpd) and a real HTTP server on localhost."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from tests.cli.test_cli import invoke
from tests.push.test_push import PASSWORD, made, smtp_server, webhook_server  # noqa: F401


def setup(tmp_path, smtp_port: int, hook_url: str) -> dict[str, str]:
    path = tmp_path / "push.toml"
    path.write_text(f"""
base_url = "https://dangong.test/"
[smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "none"
sender = "dangong@test.local"
timeout = 5
[schedule]
meetings = [2026-11-26, 2027-03-01]
[[channel]]
name = "leaders"
kind = "email"
to = ["leader@test.local"]
sends = ["brief"]
formats = ["pdf", "pptx", "docx"]
[[channel]]
name = "zzb"
kind = "wecom"
url = "{hook_url}/cgi-bin/webhook/send?key=ROBOTKEY"
units = ["ZZB"]
sends = ["reminders"]
""", encoding="utf-8")
    return {"DANGONG_PUSH_CONFIG": str(path), "DANGONG_SMTP_PASSWORD": PASSWORD}


def url_of(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM push_message")).scalar_one()


def test_push_run_from_cron_sends_what_is_due_once(made, smtp_server, webhook_server, tmp_path):  # noqa: F811
    engine, _ = made
    env = setup(tmp_path, smtp_server.port, webhook_server.url)
    first = invoke(["push", "run", "--today", "2026-11-24"], url_of(engine), **env)
    assert first.returncode == 0, first.stderr
    assert "已发送 / sent    brief:leaders:2026-11-26" in first.stdout
    assert "已发送 / sent    reminder:zzb:2026-11-24" in first.stdout
    assert len(smtp_server.messages) == 1 and len(webhook_server.bodies) == 1
    assert "https://dangong.test/meetings" in webhook_server.bodies[0]["markdown"]["content"]
    again = invoke(["push", "run", "--today", "2026-11-24"], url_of(engine), **env)
    assert again.returncode == 0 and again.stdout.strip() == "没有到期的推送 / nothing due"
    assert len(smtp_server.messages) == 1 and len(webhook_server.bodies) == 1
    log = invoke(["push", "log"], url_of(engine), **env)
    assert log.returncode == 0 and "\tsent\t1\tbrief:leaders:2026-11-26\t" in log.stdout
    assert PASSWORD not in first.stdout + first.stderr + log.stdout and "ROBOTKEY" not in log.stdout


def test_push_send_brief_for_the_next_meeting_or_a_held_one(made, smtp_server, webhook_server, tmp_path):  # noqa: F811
    engine, ids = made
    env = setup(tmp_path, smtp_server.port, webhook_server.url)
    nxt = invoke(["push", "send", "brief", "--meeting", "next", "--channel", "leaders", "--today", "2026-11-24"],
                 url_of(engine), **env)
    assert nxt.returncode == 0, nxt.stderr
    mail = smtp_server.messages[0]
    assert "（会议日期 2026年11月26日）" in mail["Subject"]  # the next planned meeting of the schedule
    assert sorted(p.get_filename() for p in mail.iter_attachments()) == [
        "brief_2026-11-24.docx", "brief_2026-11-24.pdf", "brief_2026-11-24.pptx"]
    # a meeting held: its brief as of its date; a second send is a new message (on demand, its own key)
    held = invoke(["push", "send", "brief", "--meeting", str(ids["m2"]), "--channel", "leaders", "--today", "2026-11-24"],
                  url_of(engine), **env)
    assert held.returncode == 0, held.stderr
    assert [p.get_filename() for p in smtp_server.messages[1].iter_attachments()][0] == "brief_2026-05-01.pdf"
    # a meeting that does not exist: failed at once (no retry can mend it), exit 2, said in one line
    bad = invoke(["push", "send", "brief", "--meeting", "999", "--channel", "leaders"], url_of(engine), **env)
    assert bad.returncode == 2 and "no district meeting with id 999" in bad.stderr and "Traceback" not in bad.stderr
    assert len(smtp_server.messages) == 2
    for args, needle in [(["push", "send", "fax", "--channel", "leaders"], "unknown kind"),
                         (["push", "send", "brief", "--channel", "nobody"], "no channel named 'nobody'"),
                         (["push", "send", "brief", "--meeting", "last", "--channel", "leaders"], "next or a meeting id"),
                         (["push", "send", "test", "--channel", "leaders", "--today", "24/11"], "YYYY-MM-DD")]:
        r = invoke(args, url_of(engine), **env)
        assert r.returncode == 1 and needle in r.stderr and "Traceback" not in r.stderr, (args, r.stderr)


def test_push_preview_writes_what_would_be_sent_and_sends_nothing(made, smtp_server, webhook_server, tmp_path):  # noqa: F811
    engine, _ = made
    env = setup(tmp_path, smtp_server.port, webhook_server.url)
    out = tmp_path / "preview"
    r = invoke(["push", "preview", str(out), "--today", "2026-11-24"], url_of(engine), **env)
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in out.iterdir())
    assert "brief_leaders_2026-11-26.txt" in names and "brief_leaders_2026-11-26_brief_2026-11-24.pptx" in names
    assert "reminder_zzb_2026-11-24.json" in names
    assert (out / "brief_leaders_2026-11-26_brief_2026-11-24.pdf").read_bytes()[:5] == b"%PDF-"
    text = (out / "reminder_zzb_2026-11-24.md").read_text(encoding="utf-8")
    assert "区委组织部：逾期 1 项" in text and "(https://dangong.test/meetings)" in text
    assert smtp_server.messages == [] and webhook_server.bodies == [] and count(engine) == 0
    everything = "".join(p.read_text(encoding="utf-8") for p in out.glob("*.txt")) + "".join(
        p.read_text(encoding="utf-8") for p in out.glob("*.json"))
    assert PASSWORD not in everything
    one = invoke(["push", "preview", str(tmp_path / "one"), "--kind", "brief", "--channel", "leaders", "--today",
                  "2026-11-24"], url_of(engine), **env)
    assert one.returncode == 0, one.stderr
    subject = (tmp_path / "one" / "brief_leaders_preview.txt").read_text(encoding="utf-8").splitlines()[0]
    assert "（会议日期 2026年11月26日）" in subject
    assert count(engine) == 0
    late = invoke(["push", "preview", str(tmp_path / "none"), "--today", dt.date(2026, 12, 5).isoformat()], url_of(engine),
                  **env)
    assert late.returncode == 0  # 区委组织部's item is still overdue: a reminder; no brief outside its window
    assert not any(p.name.startswith("brief") for p in (tmp_path / "none").iterdir())
