"""Push (issue 20) against real components: an SMTP server on localhost (aiosmtpd) that receives the
messages and their attachments, a local HTTP server that receives the webhooks, on the hand-made
database of the brief tests (甲镇 AA, 乙乡 BB; 区委组织部 ZZB owns an item 146 days overdue in 甲镇,
区总工会 ZGH one due soon in 乙乡) — on SQLite and PostgreSQL. Faults: an SMTP server refusing, one
that never answers, nothing listening, a webhook answering 500 or a robot's error code: nothing is
lost, the message is retried after its back-off, reported when every attempt failed, and a rerun
never sends anything twice."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from dashboard.push import config as C
from dashboard.push import run as R
from dashboard.queries import coverage
from dashboard.queries.scope import Scope
from tests.exports.test_brief import TODAY, build

NOW = dt.datetime(2026, 11, 24, 8, 0, tzinfo=dt.UTC)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- servers


class Inbox:
    """aiosmtpd handler: keeps every message; ``refuse`` makes it answer 550 to RCPT."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes = []
        self.refuse = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


class Hooks:
    def __init__(self):
        self.bodies: list[dict] = []
        self.paths: list[str] = []
        self.status = 200
        self.answer: dict | None = None  # the robots' JSON answer (None: {"errcode": 0})


@pytest.fixture
def webhook_server():
    hooks = Hooks()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            if hooks.status == 200:
                hooks.bodies.append(json.loads(body.decode("utf-8")))
                hooks.paths.append(self.path)
            data = json.dumps(hooks.answer or {"errcode": 0, "errmsg": "ok"}).encode()
            self.send_response(hooks.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hooks.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield hooks
    server.shutdown()
    server.server_close()


@pytest.fixture
def made(any_engine):
    return any_engine, build(any_engine)


def config(smtp_port: int | None, hook_url: str, *, extra: str = "", meetings: str = "[2026-11-26]",
           timeout: float = 5) -> C.PushConfig:
    smtp = (f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\nsecurity = "none"\nsender = "看板 <dangong@test.local>"\n'
            f"timeout = {timeout}\n") if smtp_port else ""
    leaders = ('[[channel]]\nname = "leaders"\nkind = "email"\nto = ["leader@test.local", "office@test.local"]\n'
               'sends = ["brief", "summary"]\nformats = ["pdf", "docx"]\n') if smtp_port else ""
    return C.parse(f"""
base_url = "https://dangong.test"
{smtp}
[schedule]
meetings = {meetings}
brief_days_before = 3
retry_minutes = [5, 30]
max_attempts = 3

{leaders}
[[channel]]
name = "zzb"
kind = "wecom"
url = "{hook_url}/cgi-bin/webhook/send?key=ROBOTKEY"
units = ["ZZB"]
sends = ["reminders"]
{extra}
""")


def log(engine) -> dict[str, dict]:
    return {r["key"]: r for r in R.recent(engine)}


# --------------------------------------------------------------------------- the scheduled run


def test_a_scheduled_run_mails_the_brief_and_posts_the_reminder_once(made, smtp_server, webhook_server):
    engine, _ = made
    cfg = config(smtp_server.port, webhook_server.url)
    report = R.run(engine, cfg, NOW, today=TODAY)
    assert sorted(report.planned) == sorted(["brief:leaders:2026-11-26", "summary:leaders:2026-W48",
                                             "reminder:zzb:2026-11-24"])
    assert sorted(report.sent) == sorted(report.planned) and report.ok
    # the brief: two recipients, the PDF and the Word file attached, the figures in the text
    briefs = [m for m in smtp_server.messages if "简报" in m["Subject"]]
    assert len(briefs) == 1
    mail = briefs[0]
    assert "（会议日期 2026年11月26日）" in mail["Subject"] and mail["X-Dangong-Key"] == "brief:leaders:2026-11-26"
    assert sorted(smtp_server.envelopes[0].rcpt_tos) == ["leader@test.local", "office@test.local"]
    files = {p.get_filename(): p.get_content() for p in mail.iter_attachments()}
    assert set(files) == {"brief_2026-11-24.pdf", "brief_2026-11-24.docx"}
    assert files["brief_2026-11-24.pdf"][:5] == b"%PDF-" and files["brief_2026-11-24.docx"][:2] == b"PK"
    body = mail.get_body(("plain",)).get_content()
    assert "建会率 50.0%（2 / 4）" in body and "https://dangong.test/meetings?asof=2026-11-24" in body
    # the weekly summary of the whole district
    summary = [m for m in smtp_server.messages if "周报" in m["Subject"]][0].get_body(("plain",)).get_content()
    assert "逾期 1 项" in summary and "督促缺口企业建立党支部" in summary
    # the reminder to 区委组织部's robot: its overdue item with the days, a link; the robot key not in any log
    assert len(webhook_server.bodies) == 1
    wecom = webhook_server.bodies[0]
    assert wecom["msgtype"] == "markdown" and "key=ROBOTKEY" in webhook_server.paths[0]
    text = wecom["markdown"]["content"]
    assert "区委组织部：逾期 1 项" in text and "逾期 146 天" in text and "督促缺口企业建立党支部" in text
    assert "乙乡小微企业建会摸底" not in text  # 区总工会's item: not this unit's
    rows = log(engine)
    assert all(r["status"] == "sent" and r["attempts"] == 1 for r in rows.values())
    # a second run the same day (cron every 15 minutes): nothing planned twice, nothing sent twice
    again = R.run(engine, cfg, NOW + dt.timedelta(minutes=15), today=TODAY)
    assert again.planned == [] and again.sent == []
    assert len(smtp_server.messages) == 2 and len(webhook_server.bodies) == 1
    # the next day: a new reminder, no new brief (one per meeting) nor summary (one per week)
    nxt = R.run(engine, cfg, NOW + dt.timedelta(days=1), today=TODAY + dt.timedelta(days=1))
    assert nxt.planned == ["reminder:zzb:2026-11-25"] and nxt.sent == nxt.planned
    assert len(smtp_server.messages) == 2 and len(webhook_server.bodies) == 2


def test_the_schedule_sends_the_brief_only_in_its_window_and_the_week_once(made):
    cfg = config(2525, "http://127.0.0.1:9", meetings="[2026-11-30, 2026-12-20]")
    keys = lambda day: sorted(k for k, *_ in R.plan(cfg, day))  # noqa: E731
    assert "brief:leaders:2026-11-30" not in keys(dt.date(2026, 11, 26))  # 4 days before: not yet
    assert "brief:leaders:2026-11-30" in keys(dt.date(2026, 11, 27))  # 3 days before
    assert "brief:leaders:2026-11-30" in keys(dt.date(2026, 11, 30))  # the day itself
    assert not [k for k in keys(dt.date(2026, 12, 1)) if k.startswith("brief")]  # after it, before the next window
    # the summary: the key of the ISO week, whatever day the run happens (Monday missed: Tuesday sends it)
    assert "summary:leaders:2026-W49" in keys(dt.date(2026, 11, 30)) and "summary:leaders:2026-W49" in keys(
        dt.date(2026, 12, 1))
    monthly = C.parse('[schedule]\nsummary = "monthly"\n[[channel]]\nname = "x"\nkind = "webhook"\n'
                      'url = "http://h/"\nsends = ["summary"]\n')
    assert [k for k, *_ in R.plan(monthly, dt.date(2026, 12, 9))] == ["summary:x:2026-12"]


def test_a_township_recipient_only_receives_its_townships(made, webhook_server):
    engine, ids = made
    cfg = config(None, webhook_server.url, extra=f"""
[[channel]]
name = "yixiang"
kind = "webhook"
url = "{webhook_server.url}/hook"
townships = ["BB"]
sends = ["summary"]

[[channel]]
name = "district"
kind = "webhook"
url = "{webhook_server.url}/hook"
sends = ["summary"]
""")
    R.run(engine, cfg, NOW, today=TODAY)
    by_channel = {b["channel"]: b for b in webhook_server.bodies if "channel" in b}
    mine, everything = by_channel["yixiang"], by_channel["district"]
    assert mine["scope"] == "乙乡" and everything["scope"] == "全区"
    with Session(engine) as s:
        bb = coverage.coverage_kpis(s, Scope.townships([ids["b"]]), TODAY)
        whole = coverage.coverage_kpis(s, Scope.district(), TODAY)
    assert bb.operating != whole.operating  # the two scopes differ, so the test can tell them apart
    assert f"建会率 {bb.union_coverage.value * 100:.1f}%（{bb.union_coverage.numerator} / {bb.operating}）" in mine["text"]
    assert f"（{whole.union_coverage.numerator} / {whole.operating}）" in everything["text"]
    # 甲镇's overdue item is in the district's summary, never in 乙乡's
    assert "督促缺口企业建立党支部" in everything["text"]
    for word in ("督促缺口企业建立党支部", "甲镇"):
        assert word not in json.dumps(mine, ensure_ascii=False)
    assert mine["links"] == ["https://dangong.test/?town=BB", "https://dangong.test/meetings?town=BB"]


def test_escalation_lists_only_items_overdue_past_the_days(made, webhook_server):
    engine, _ = made
    extra = f'[[channel]]\nname = "staff"\nkind = "dingtalk"\nurl = "{webhook_server.url}/robot/send?access_token=T"\nsends = ["escalation"]\n'
    cfg = config(None, webhook_server.url, extra=extra)
    R.run(engine, cfg, NOW, today=TODAY)
    staff = [b for b in webhook_server.bodies if b.get("markdown", {}).get("title", "").startswith("【督办升级】")]
    assert len(staff) == 1 and "督促缺口企业建立党支部" in staff[0]["markdown"]["text"]
    assert "（区委组织部，期限 2026年7月1日）" in staff[0]["markdown"]["text"]
    # on 2026-07-05 the item is 4 days overdue: below the 7 days, nothing to escalate (recorded, not sent)
    early = R.run(engine, cfg, NOW - dt.timedelta(days=142), today=dt.date(2026, 7, 5))
    assert "escalation:staff:2026-07-05" in early.skipped
    assert log(engine)["escalation:staff:2026-07-05"]["status"] == "skipped"


def test_dingtalk_signs_when_a_secret_is_set(made, webhook_server, monkeypatch):
    engine, _ = made
    extra = (f'[[channel]]\nname = "ding"\nkind = "dingtalk"\nurl = "{webhook_server.url}/robot/send?access_token=T"\n'
             'secret_env = "TEST_DING_SECRET"\nsends = []\n')
    cfg = config(None, webhook_server.url, extra=extra)
    missing = R.send_now(engine, cfg, "test", "ding", TODAY, now=NOW)
    assert missing.retrying and "TEST_DING_SECRET" in missing.retrying[0][1]
    monkeypatch.setenv("TEST_DING_SECRET", "SEC-abc")
    report = R.send_now(engine, cfg, "test", "ding", TODAY, now=NOW + dt.timedelta(seconds=1))
    assert report.sent and "timestamp=" in webhook_server.paths[-1] and "&sign=" in webhook_server.paths[-1]


# --------------------------------------------------------------------------- faults


def test_smtp_refusing_is_retried_after_the_back_off_and_sent_once(made, smtp_server, webhook_server):
    engine, _ = made
    cfg = config(smtp_server.port, webhook_server.url)
    smtp_server.refuse = True
    first = R.run(engine, cfg, NOW, today=TODAY)
    assert len(first.retrying) == 2 and not first.failed  # the brief and the summary
    assert all("550" in why or "refused" in why for _, why in first.retrying)
    row = log(engine)["brief:leaders:2026-11-26"]
    assert (row["status"], row["attempts"]) == ("pending", 1)
    assert R.run(engine, cfg, NOW + dt.timedelta(minutes=4), today=TODAY).retrying == []  # not due yet (5 min)
    smtp_server.refuse = False
    later = R.run(engine, cfg, NOW + dt.timedelta(minutes=6), today=TODAY)
    assert sorted(later.sent) == ["brief:leaders:2026-11-26", "summary:leaders:2026-W48"]
    assert len(smtp_server.messages) == 2
    assert log(engine)["brief:leaders:2026-11-26"]["attempts"] == 2
    R.run(engine, cfg, NOW + dt.timedelta(hours=3), today=TODAY)
    assert len(smtp_server.messages) == 2  # never twice


def test_a_server_that_never_answers_times_out_and_nothing_listening_is_retried(made, webhook_server):
    engine, _ = made
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)  # accepts the connection, never says a word
    try:
        cfg = config(silent.getsockname()[1], webhook_server.url, timeout=0.5)
        report = R.send_now(engine, cfg, "test", "leaders", TODAY, now=NOW)
        assert report.retrying and ("Timeout" in report.retrying[0][1] or "timed out" in report.retrying[0][1])
    finally:
        silent.close()
    cfg = config(free_port(), webhook_server.url)  # nothing listening there
    report = R.send_now(engine, cfg, "test", "leaders", TODAY, now=NOW + dt.timedelta(seconds=1))
    assert report.retrying and "ConnectionRefused" in report.retrying[0][1]


def test_a_webhook_500_is_retried_then_reported_failed_and_stays_in_the_log(made, webhook_server):
    engine, _ = made
    cfg = config(None, webhook_server.url)
    webhook_server.status = 500
    times = [NOW, NOW + dt.timedelta(minutes=6), NOW + dt.timedelta(minutes=40)]
    outcomes = [R.run(engine, cfg, at, today=TODAY) for at in times]
    assert [len(o.retrying) for o in outcomes] == [1, 1, 0] and len(outcomes[2].failed) == 1
    assert "HTTP 500" in outcomes[2].failed[0][1] and "ROBOTKEY" not in outcomes[2].failed[0][1]
    row = log(engine)["reminder:zzb:2026-11-24"]
    assert (row["status"], row["attempts"]) == ("failed", 3) and "HTTP 500" in row["last_error"]
    webhook_server.status = 200
    assert R.run(engine, cfg, NOW + dt.timedelta(hours=5), today=TODAY).sent == []  # failed is final: reported
    with engine.connect() as conn:
        audited = conn.execute(sa.text("SELECT count(*) FROM audit_event WHERE action = 'push'")).scalar_one()
    assert audited == 3


def test_a_robot_error_code_is_a_failure(made, webhook_server):
    engine, _ = made
    cfg = config(None, webhook_server.url)
    webhook_server.answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
    report = R.send_now(engine, cfg, "test", "zzb", TODAY, now=NOW)
    assert report.retrying and "errcode 93000" in report.retrying[0][1]


def _refusing_login_server() -> tuple[socket.socket, threading.Thread]:
    """A bare SMTP dialogue on a socket: greets, offers AUTH PLAIN, answers 535 to the login."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def serve():
        conn, _ = server.accept()
        with conn, conn.makefile("rwb") as f:
            f.write(b"220 test ESMTP\r\n")
            f.flush()
            for line in f:
                verb = line[:4].upper()
                if verb == b"EHLO":
                    f.write(b"250-test\r\n250 AUTH PLAIN\r\n")
                elif verb == b"AUTH":
                    f.write(b"535 5.7.8 Authentication credentials invalid\r\n")
                elif verb == b"QUIT":
                    f.write(b"221 bye\r\n")
                    f.flush()
                    return
                else:
                    f.write(b"250 OK\r\n")
                f.flush()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return server, thread


def test_the_smtp_password_is_never_written(made, monkeypatch):
    engine, _ = made
    monkeypatch.setenv("DANGONG_SMTP_PASSWORD", "s3cret-Passw0rd")
    server, thread = _refusing_login_server()
    try:
        cfg = C.parse(f"""
[smtp]
host = "127.0.0.1"
port = {server.getsockname()[1]}
security = "none"
user = "dangong"
sender = "dangong@test.local"
timeout = 5
[[channel]]
name = "leaders"
kind = "email"
to = ["a@test.local"]
""")
        report = R.send_now(engine, cfg, "test", "leaders", TODAY, now=NOW)
    finally:
        thread.join(5)
        server.close()
    assert report.retrying and "refused the login of dangong" in report.retrying[0][1]
    with engine.connect() as conn:
        dump = json.dumps([list(map(str, r)) for r in conn.execute(sa.text("SELECT * FROM push_message"))] +
                          [list(map(str, r)) for r in conn.execute(sa.text("SELECT * FROM audit_event"))])
    assert "s3cret" not in dump and "refused the login" in dump


# --------------------------------------------------------------------------- the set-up


@pytest.mark.parametrize("text, needle", [
    ("base_url = 'ftp://x'", "base_url"),
    ("[[channel]]\nname = 'a'\nkind = 'email'\n", "needs 'to'"),
    ("[[channel]]\nname = 'a'\nkind = 'wecom'\n", "needs 'url'"),
    ("[[channel]]\nname = 'a'\nkind = 'webhook'\nurl = 'http://h'\nsends = ['reminders']\n", "needs 'units'"),
    ("[[channel]]\nname = 'a'\nkind = 'email'\nto = ['not-an-address']\n", "not an e-mail address"),
    ("[[channel]]\nname = 'a'\nkind = 'email'\nto = ['a@b.c']\n", "need an [smtp] section"),
    ("[[channel]]\nname = 'a'\nkind = 'fax'\n", "channel.0.kind"),
    ("[schedule]\nmeetings = ['soon']\n", "schedule.meetings.0"),
    ("[schedule]\nsummary_weekday = 9\n", "summary_weekday"),
    ("[[channel]]\nname='a'\nkind='webhook'\nurl='http://h'\n[[channel]]\nname='a'\nkind='webhook'\nurl='http://h'\n",
     "unique"),
    ("this is = not toml =", "not valid TOML"),
])
def test_a_wrong_set_up_is_one_sentence_naming_the_key(text, needle):
    with pytest.raises(C.ConfigError) as info:
        C.parse(text, "push.toml")
    assert needle in str(info.value) and str(info.value).startswith("push.toml")


def test_an_unknown_township_fails_at_once_without_retries(made, webhook_server):
    engine, _ = made
    cfg = config(None, webhook_server.url, extra=f'[[channel]]\nname = "typo"\nkind = "webhook"\nurl = "{webhook_server.url}/h"\n'
                                                  'townships = ["XX"]\nsends = ["summary"]\n')
    report = R.run(engine, cfg, NOW, today=TODAY)
    assert [k for k, _ in report.failed] == ["summary:typo:2026-W48"] and "unknown township code(s) XX" in report.failed[0][1]
    assert log(engine)["summary:typo:2026-W48"]["attempts"] == 1


def test_the_example_set_up_parses():
    from pathlib import Path

    cfg = C.load(Path(__file__).resolve().parents[2] / "deploy" / "push.example.toml")
    assert [c.name for c in cfg.channel] == ["leaders", "yuebei", "zuzhibu", "staff"]
    assert cfg.schedule.meetings == (dt.date(2027, 1, 15), dt.date(2027, 7, 15))
    with pytest.raises(C.ConfigError, match="no such file"):
        C.load(Path("/nonexistent/push.toml"))
