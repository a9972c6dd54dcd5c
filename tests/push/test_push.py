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
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from dashboard.i18n import t
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
    """aiosmtpd handler: keeps every message; ``refuse`` makes it answer 550 to RCPT (every one, or
    the addresses in ``refuse_only``); ``logins`` are the (user, password) the server was given."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes = []
        self.refuse = False
        self.refuse_only: set[str] = set()
        self.logins: list[tuple[bytes, bytes]] = []
        self.tls: list[bool] = []  # per message: did it come over TLS

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse or address in self.refuse_only:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.tls.append(session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        self.logins.append((auth_data.login, auth_data.password))
        # handled=False: aiosmtpd answers 535 itself when the login is wrong
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"dangong", PASSWORD.encode()), handled=False)


#: the test server's certificate (self-signed for 127.0.0.1 and localhost, valid 2000-2100) and key
TLS = Path(__file__).resolve().parent / "tls"
PASSWORD = "s3cret-Passw0rd"


def server_tls() -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(TLS / "localhost.pem", TLS / "localhost.key")
    return ctx


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture(params=["starttls", "ssl"])
def tls_smtp_server(request):
    """aiosmtpd with TLS — STARTTLS required before anything (587's way), or SMTPS (465's) — and
    AUTH: only user dangong with :data:`PASSWORD` may send."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    if request.param == "starttls":
        controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), server_hostname="localhost",
                                tls_context=server_tls(), require_starttls=True, authenticator=inbox.authenticate,
                                auth_require_tls=True)
    else:  # the whole session inside TLS (aiosmtpd cannot tell, so AUTH is allowed without STARTTLS)
        controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), server_hostname="localhost",
                                ssl_context=server_tls(), authenticator=inbox.authenticate, auth_require_tls=False)
    controller.start()
    inbox.port, inbox.security = controller.port, request.param
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


@pytest.mark.official_base
def test_the_default_base_is_named_and_counted(made, webhook_server):
    """Issue 14 item 2: a summary counts over the 党建基数 the pages open on (三有企业 by default) and
    its subject names it; the figures are the query layer's over that base."""
    from models.enums import Base

    engine, ids = made
    cfg = config(None, webhook_server.url, extra=f"""
[[channel]]
name = "district"
kind = "webhook"
url = "{webhook_server.url}/hook"
sends = ["summary"]
""")
    R.run(engine, cfg, NOW, today=TODAY)
    body = next(b for b in webhook_server.bodies if b.get("channel") == "district")
    with Session(engine) as s:
        sanyou = coverage.coverage_kpis(s, Scope.district().with_base(Base.SANYOU), TODAY)
        every = coverage.coverage_kpis(s, Scope.district(), TODAY)
    assert sanyou.operating != every.operating  # the hand-made district has enterprises outside the base
    assert "三有企业" in body["text"]
    assert f"（{sanyou.union_coverage.numerator} / {sanyou.operating}）" in body["text"]


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
    assert missing.failed and missing.failed[0][1] == "未设置环境变量 TEST_DING_SECRET（钉钉加签密钥）"
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
    assert [why for _, why in first.retrying] == 2 * [
        f"SMTP 服务器 127.0.0.1:{smtp_server.port} 拒收全部收件人：leader@test.local, office@test.local"]
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


def test_a_test_message_to_a_server_that_never_answers_or_to_nothing_is_reported(made, webhook_server):
    engine, _ = made
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)  # accepts the connection, never says a word
    try:
        cfg = config(silent.getsockname()[1], webhook_server.url, timeout=0.5)
        report = R.send_now(engine, cfg, "test", "leaders", TODAY, now=NOW)
        why = report.failed[0][1]
        assert why.startswith(f"无法经 SMTP 服务器 127.0.0.1:{silent.getsockname()[1]} 发送（")
        assert "Timeout" in why or "timed out" in why
    finally:
        silent.close()
    port = free_port()  # nothing listening there
    report = R.send_now(engine, config(port, webhook_server.url), "test", "leaders", TODAY, now=NOW + dt.timedelta(seconds=1))
    assert report.failed and report.failed[0][1].startswith(f"无法经 SMTP 服务器 127.0.0.1:{port} 发送（ConnectionRefusedError: ")


def test_a_webhook_500_is_retried_then_reported_failed_and_stays_in_the_log(made, webhook_server):
    engine, _ = made
    cfg = config(None, webhook_server.url)
    webhook_server.status = 500
    times = [NOW, NOW + dt.timedelta(minutes=6), NOW + dt.timedelta(minutes=40)]
    outcomes = [R.run(engine, cfg, at, today=TODAY) for at in times]
    assert [len(o.retrying) for o in outcomes] == [1, 1, 0] and len(outcomes[2].failed) == 1
    host = webhook_server.url.split("//", 1)[1]
    assert outcomes[2].failed[0][1] == f"{host} 返回 HTTP 500" and "ROBOTKEY" not in outcomes[2].failed[0][1]
    row = log(engine)["reminder:zzb:2026-11-24"]
    assert (row["status"], row["attempts"]) == ("failed", 3) and row["last_error"] == f"{host} 返回 HTTP 500"
    webhook_server.status = 200
    assert R.run(engine, cfg, NOW + dt.timedelta(hours=5), today=TODAY).sent == []  # failed is final: reported
    with engine.connect() as conn:
        audited = conn.execute(sa.text("SELECT count(*) FROM audit_event WHERE action = 'push'")).scalar_one()
    assert audited == 3


def test_transport_errors_speak_the_channels_language(made, webhook_server):
    """A transport error's sentence comes from the catalogues (``push.error.*``) in the channel's
    language — 中文 unless the channel says ``locale = "en"`` — with the technical detail kept as it came
    (the host, the answer; never the robot's key)."""
    engine, _ = made
    extra = f'[[channel]]\nname = "en_hook"\nkind = "webhook"\nurl = "{webhook_server.url}/hook?token=TOKEN"\nlocale = "en"\n'
    cfg = config(None, webhook_server.url, extra=extra)
    host = webhook_server.url.split("//", 1)[1]
    webhook_server.status = 500
    zh = R.send_now(engine, cfg, "test", "zzb", TODAY, now=NOW)
    en = R.send_now(engine, cfg, "test", "en_hook", TODAY, now=NOW + dt.timedelta(seconds=1))
    assert zh.failed[0][1] == t("push.error.http", "zh_CN", host=host, code=500) == f"{host} 返回 HTTP 500"
    assert en.failed[0][1] == t("push.error.http", "en", host=host, code=500) == f"{host} answered HTTP 500"
    webhook_server.status = 200
    port = free_port()  # nothing listening: the connection's error class is kept
    cfg = config(None, f"http://127.0.0.1:{port}", extra=extra.replace(webhook_server.url, f"http://127.0.0.1:{port}"))
    zh = R.send_now(engine, cfg, "test", "zzb", TODAY, now=NOW + dt.timedelta(seconds=2))
    en = R.send_now(engine, cfg, "test", "en_hook", TODAY, now=NOW + dt.timedelta(seconds=3))
    assert zh.failed[0][1].startswith(f"无法连接 127.0.0.1:{port}（ConnectionRefusedError: ")
    assert en.failed[0][1].startswith(f"127.0.0.1:{port}: cannot connect (ConnectionRefusedError: ")
    assert all("ROBOTKEY" not in why and "TOKEN" not in why for _, why in zh.failed + en.failed)


def test_a_malformed_robot_address_never_shows_its_key():
    """A space or a control character in a robot's address: refused by the set-up without repeating the
    address; and if one reaches the sender anyway (a channel made in code), the failure names the host and
    the exception's class, not the address (``http.client.InvalidURL`` quotes it, key included)."""
    from dashboard.push import transport as T
    from dashboard.push.config import Channel
    from dashboard.push.messages import Message

    for bad in ("https://qyapi.weixin.qq.com/send?key=ROBOT KEY", "https://oapi.dingtalk.com/send?access_token=TO\x07KEN"):
        with pytest.raises(ValueError) as refused:
            Channel(name="bad", kind="wecom", url=bad, sends=["summary"])
        assert "space or a control character" in str(refused.value) and "KEY" not in str(refused.value)
    channel = Channel.model_construct(name="bad", kind="wecom", url="https://127.0.0.1:9/send?key=ROBOT KEY",
                                      locale="zh_CN", secret_env=None)
    with pytest.raises(T.SendError) as failed:
        T.post_webhook(channel, Message(key="test:bad", kind="test", channel="bad", as_of=TODAY, subject="s", text="t",
                                        markdown="m", scope_label="全区"))
    assert str(failed.value) == t("push.error.connect", "zh_CN", host="127.0.0.1:9", error="InvalidURL")
    assert "ROBOT" not in str(failed.value) and "KEY" not in str(failed.value)


def test_a_robot_error_code_is_a_failure(made, webhook_server):
    engine, _ = made
    cfg = config(None, webhook_server.url)
    webhook_server.answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
    scheduled = R.run(engine, cfg, NOW, today=TODAY)  # HTTP 200 with the robot's refusal: retried later
    assert scheduled.retrying == [("reminder:zzb:2026-11-24", "127.0.0.1:" + webhook_server.url.rsplit(":", 1)[1]
                                   + " 拒收消息：errcode 93000（invalid webhook url）")]
    # a test message is not retried: the admin who sent it has the answer, the log says failed
    report = R.send_now(engine, cfg, "test", "zzb", TODAY, now=NOW)
    assert report.failed and "errcode 93000" in report.failed[0][1]
    row = log(engine)[report.failed[0][0]]
    assert (row["status"], row["attempts"]) == ("failed", 1)
    webhook_server.answer = None
    posted = len(webhook_server.bodies)  # the two the robot refused
    later = R.run(engine, cfg, NOW + dt.timedelta(hours=1), today=TODAY)
    assert later.sent == ["reminder:zzb:2026-11-24"]
    assert len(webhook_server.bodies) == posted + 1 and "【督办提醒】" in webhook_server.bodies[-1]["markdown"]["content"]


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
    port = server.getsockname()[1]
    try:
        cfg = C.parse(f"""
[smtp]
host = "127.0.0.1"
port = {port}
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
    assert report.failed and report.failed[0][1] == f"SMTP 服务器 127.0.0.1:{port} 拒绝了用户 dangong 的登录（535）"
    dump = written_anywhere(engine)
    assert "s3cret" not in dump and "拒绝了用户 dangong 的登录" in dump


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


# --------------------------------------------------------------------------- e-mail over TLS, with a login


def tls_config(inbox, **smtp) -> C.PushConfig:
    lines = "\n".join(f"{k} = {json.dumps(v)}" for k, v in smtp.items())
    return C.parse(f"""
[smtp]
host = "127.0.0.1"
port = {inbox.port}
security = "{inbox.security}"
user = "dangong"
sender = "dangong@test.local"
timeout = 5
{lines}
[[channel]]
name = "leaders"
kind = "email"
to = ["leader@test.local"]
""")


def written_anywhere(engine) -> str:
    """Everything the push wrote: the send log and the audit trail."""
    with engine.connect() as conn:
        return json.dumps([list(map(str, r)) for r in conn.execute(sa.text("SELECT * FROM push_message"))]
                          + [list(map(str, r)) for r in conn.execute(sa.text("SELECT * FROM audit_event"))],
                          ensure_ascii=False)


def test_mail_goes_over_tls_with_the_password_from_the_environment_or_a_file(made, tls_smtp_server, monkeypatch,
                                                                              tmp_path):
    engine, _ = made
    inbox = tls_smtp_server
    monkeypatch.setenv("DANGONG_SMTP_PASSWORD", PASSWORD)
    cfg = tls_config(inbox, cafile=str(TLS / "localhost.pem"))
    report = R.send_now(engine, cfg, "test", "leaders", TODAY, now=NOW)
    assert report.sent and report.receipts[report.sent[0]] == "leader@test.local"
    assert inbox.logins == [(b"dangong", PASSWORD.encode())] and inbox.tls == [True]
    assert inbox.messages[0]["Subject"] == "【测试】党工共建看板推送渠道“leaders”"
    # a systemd credential (LoadCredential=) or a container secret: a file, taken before the variable
    secret = tmp_path / "smtp_password"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    monkeypatch.setenv("DANGONG_SMTP_PASSWORD", "the-wrong-one")
    by_file = tls_config(inbox, cafile=str(TLS / "localhost.pem"), password_file=str(secret))
    assert R.send_now(engine, by_file, "test", "leaders", TODAY, now=NOW + dt.timedelta(seconds=1)).sent
    assert inbox.logins[-1] == (b"dangong", PASSWORD.encode()) and len(inbox.messages) == 2
    # the wrong password: refused, retried — and neither password is written anywhere
    wrong = R.send_now(engine, cfg, "test", "leaders", TODAY, now=NOW + dt.timedelta(seconds=2))
    assert wrong.failed and "拒绝了用户 dangong 的登录（535）" in wrong.failed[0][1]
    assert len(inbox.messages) == 2
    dump = written_anywhere(engine) + json.dumps([report.receipts, wrong.failed])
    assert PASSWORD not in dump and "the-wrong-one" not in dump and "拒绝了用户 dangong 的登录" in dump
    # a file that cannot be read: named, its content never
    gone = tls_config(inbox, cafile=str(TLS / "localhost.pem"), password_file=str(tmp_path / "missing"))
    missing = R.send_now(engine, gone, "test", "leaders", TODAY, now=NOW + dt.timedelta(seconds=3))
    assert missing.failed and missing.failed[0][1] == (f"SMTP 密码文件 smtp.password_file {tmp_path / 'missing'} "
                                                       "无法读取（FileNotFoundError）")


def test_the_servers_certificate_is_checked(made, tls_smtp_server, monkeypatch):
    """Without the CA that signed it (the system's store only) the test server's certificate is
    refused before any password is sent."""
    engine, _ = made
    monkeypatch.setenv("DANGONG_SMTP_PASSWORD", PASSWORD)
    report = R.send_now(engine, tls_config(tls_smtp_server), "test", "leaders", TODAY, now=NOW)
    why = report.failed[0][1]
    assert why.startswith("无法经 SMTP 服务器 ") and "SSLCertVerificationError" in why and "CERTIFICATE_VERIFY_FAILED" in why
    assert tls_smtp_server.logins == [] and tls_smtp_server.messages == []


# --------------------------------------------------------------------------- what each recipient gets


def attachment_text(name: str, data: bytes) -> str:
    """The words of an attachment, whitespace removed: the PDF's text, every paragraph and table cell of
    the Word file (headers and footers too), every text frame and table of the slides (and the notes)."""
    import io
    import re

    if name.endswith(".pdf"):
        from tests.exports.pdftext import text_of

        return text_of(data)[1]
    parts: list[str] = []
    if name.endswith(".docx"):
        from docx import Document

        doc = Document(io.BytesIO(data))
        parts += [p.text for p in doc.paragraphs]
        parts += [c.text for table in doc.tables for row in table.rows for c in row.cells]
        for section in doc.sections:
            parts += [p.text for p in section.header.paragraphs] + [p.text for p in section.footer.paragraphs]
    else:
        from pptx import Presentation

        for slide in Presentation(io.BytesIO(data)).slides:
            for shape in slide.shapes:
                if shape.has_text_frame:
                    parts.append(shape.text_frame.text)
                if getattr(shape, "has_table", False) and shape.has_table:
                    parts += [c.text for row in shape.table.rows for c in row.cells]
            if slide.has_notes_slide:
                parts.append(slide.notes_slide.notes_text_frame.text)
    return re.sub(r"\s+", "", "".join(parts))


def test_the_brief_arrives_with_each_format_attached(made, smtp_server, webhook_server):
    engine, _ = made
    cfg = config(smtp_server.port, webhook_server.url).model_copy()
    leaders = cfg.get("leaders").model_copy(update={"formats": ("pdf", "pptx", "docx")})
    cfg = cfg.model_copy(update={"channel": (leaders, *[c for c in cfg.channel if c.name != "leaders"])})
    report = R.send_now(engine, cfg, "brief", "leaders", TODAY, now=NOW, params=R.on_demand(cfg, "brief", TODAY))
    assert report.sent
    mail = smtp_server.messages[0]
    assert "（会议日期 2026年11月26日）" in mail["Subject"]  # --meeting next: the next planned meeting
    files = {p.get_filename(): (p.get_content_type(), p.get_content()) for p in mail.iter_attachments()}
    assert {n: m for n, (m, _) in files.items()} == {
        "brief_2026-11-24.pdf": "application/pdf",
        "brief_2026-11-24.pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "brief_2026-11-24.docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
    for name, (_, data) in files.items():  # each one opens and carries the headline figure and an overdue item
        words = attachment_text(name, data)
        assert "建会率" in words and "督促缺口企业建立党支部" in words, name


def test_a_township_recipient_gets_only_its_townships_in_text_and_attachments(made, smtp_server, webhook_server):
    """Two e-mail channels take the brief, the summary and the 督办 reminders of both owner units: the
    district's and 乙乡's. Everything 乙乡's channel receives — subjects, bodies, the PDF, the slides and
    the Word file — names 乙乡 and its own figures and nothing of 甲镇 (its name, its enterprises, its
    items, the district's totals), while the district's messages do carry them (so the check can fail)."""
    engine, ids = made
    both = '''sends = ["brief", "summary", "reminders"]\nunits = ["ZZB", "ZGH"]\nformats = ["pdf", "pptx", "docx"]\n'''
    cfg = config(smtp_server.port, webhook_server.url, extra=f"""
[[channel]]
name = "district"
kind = "email"
to = ["district@test.local"]
{both}
[[channel]]
name = "yixiang"
kind = "email"
to = ["yixiang@test.local"]
townships = ["BB"]
{both}""")
    report = R.run(engine, cfg, NOW, today=TODAY)
    assert not report.failed and not report.retrying
    got: dict[str, list[str]] = {"district@test.local": [], "yixiang@test.local": []}
    for envelope, mail in zip(smtp_server.envelopes, smtp_server.messages):
        for rcpt in envelope.rcpt_tos:
            if rcpt in got:
                got[rcpt].append(str(mail["Subject"]) + mail.get_body(("plain",)).get_content()
                                 + "".join(attachment_text(p.get_filename(), p.get_content()) for p in mail.iter_attachments()))
    assert len(got["yixiang@test.local"]) == 3 and len(got["district@test.local"]) == 3  # brief, summary, reminder
    with Session(engine) as s:
        bb = coverage.coverage_kpis(s, Scope.townships([ids["b"]]), TODAY)
        whole = coverage.coverage_kpis(s, Scope.district(), TODAY)
    district_figure = f"（{whole.union_coverage.numerator}/{whole.operating}）"
    own_figure = f"（{bb.union_coverage.numerator}/{bb.operating}）"
    assert district_figure != own_figure
    foreign = ["甲镇", "督促缺口企业建立党支部", "核实甲镇党员底数", "甲镇样板机械有限公司", "甲镇新设电子有限公司", district_figure]
    district = "".join(got["district@test.local"]).replace(" ", "")
    for word in foreign:
        assert word in district, word  # the district's messages carry it: the check below could fail
    for message in got["yixiang@test.local"]:
        flat = message.replace(" ", "")
        assert "乙乡" in flat
        for word in foreign:
            assert word not in flat, word
    yixiang = "".join(got["yixiang@test.local"]).replace(" ", "")
    assert own_figure in yixiang and "乙乡小微企业建会摸底" in yixiang  # its own figure and its own item
    # 乙乡's brief came with its three files (so the words above were looked for in them too)
    briefs = [m for e, m in zip(smtp_server.envelopes, smtp_server.messages)
              if e.rcpt_tos == ["yixiang@test.local"] and "简报" in m["Subject"]]
    assert len(briefs) == 1 and len(list(briefs[0].iter_attachments())) == 3


def test_a_reminder_links_into_the_dashboard_at_its_address(made, webhook_server):
    engine, _ = made
    cfg = config(None, webhook_server.url, extra=f"""
[[channel]]
name = "zgh-yixiang"
kind = "webhook"
url = "{webhook_server.url}/hook"
townships = ["BB"]
units = ["ZGH"]
sends = ["reminders"]
""")
    R.run(engine, cfg, NOW, today=TODAY)
    # 区委组织部's robot (the whole district): the link to the 联席会议 page where the items are updated
    wecom = [b for b in webhook_server.bodies if "msgtype" in b][0]["markdown"]["content"]
    assert "[在看板中查看联席会议](https://dangong.test/meetings)" in wecom
    # 区总工会 in 乙乡: the link keeps the channel's township; its item due in 7 days, within the 14
    plain = [b for b in webhook_server.bodies if b.get("channel") == "zgh-yixiang"][0]
    assert plain["links"] == ["https://dangong.test/meetings?town=BB"]
    assert "联席会议：https://dangong.test/meetings?town=BB" in plain["text"]
    assert "区总工会：逾期 0 项，14 天内到期 1 项" in plain["text"] and "乙乡小微企业建会摸底" in plain["text"]


def test_a_partly_refused_mail_is_sent_once_and_names_who_refused(made, smtp_server, webhook_server):
    engine, _ = made
    smtp_server.refuse_only = {"office@test.local"}
    cfg = config(smtp_server.port, webhook_server.url)
    report = R.send_now(engine, cfg, "test", "leaders", TODAY, now=NOW)
    assert report.sent and smtp_server.envelopes[0].rcpt_tos == ["leader@test.local"]
    row = log(engine)[report.sent[0]]
    assert row["status"] == "sent" and row["last_error"] == "leader@test.local（拒收：office@test.local）"
    R.run(engine, cfg, NOW + dt.timedelta(hours=1), today=TODAY)
    assert sum(1 for m in smtp_server.messages if m["X-Dangong-Key"] == report.sent[0]) == 1


def test_a_fault_while_building_one_message_does_not_stop_the_others(made, smtp_server, webhook_server, monkeypatch):
    """Anything unforeseen while a message is made (here the summary's query fails) is recorded on
    that message and retried after its back-off; the brief and the reminder of the same run go out."""
    engine, _ = made
    cfg = config(smtp_server.port, webhook_server.url)
    real = R.M.summary

    def broken(*args, **kwargs):
        raise RuntimeError("the summary's query failed")

    monkeypatch.setattr(R.M, "summary", broken)
    first = R.run(engine, cfg, NOW, today=TODAY)
    assert sorted(first.sent) == ["brief:leaders:2026-11-26", "reminder:zzb:2026-11-24"]
    assert first.retrying == [("summary:leaders:2026-W48", "RuntimeError: the summary's query failed")]
    row = log(engine)["summary:leaders:2026-W48"]
    assert (row["status"], row["attempts"]) == ("pending", 1) and "query failed" in row["last_error"]
    monkeypatch.setattr(R.M, "summary", real)
    later = R.run(engine, cfg, NOW + dt.timedelta(minutes=6), today=TODAY)
    assert later.sent == ["summary:leaders:2026-W48"]
    assert len(smtp_server.messages) == 2 and len(webhook_server.bodies) == 1  # nothing twice


def test_an_smtp_timeout_is_retried_and_sent_once_when_the_server_answers(made, smtp_server, webhook_server):
    engine, _ = made
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)  # accepts the connection, never greets
    try:
        slow = config(silent.getsockname()[1], webhook_server.url, timeout=0.5)
        first = R.run(engine, slow, NOW, today=TODAY)
    finally:
        silent.close()
    assert sorted(k for k, _ in first.retrying) == ["brief:leaders:2026-11-26", "summary:leaders:2026-W48"]
    assert all("timed out" in why or "Timeout" in why for _, why in first.retrying)
    assert first.sent == ["reminder:zzb:2026-11-24"]
    # the relay is back (same channel, the address it should have had): each one once, after its wait
    cfg = config(smtp_server.port, webhook_server.url)
    assert R.run(engine, cfg, NOW + dt.timedelta(minutes=3), today=TODAY).sent == []
    later = R.run(engine, cfg, NOW + dt.timedelta(minutes=6), today=TODAY)
    assert sorted(later.sent) == ["brief:leaders:2026-11-26", "summary:leaders:2026-W48"]
    R.run(engine, cfg, NOW + dt.timedelta(hours=6), today=TODAY)
    assert len(smtp_server.messages) == 2 and len(webhook_server.bodies) == 1
    assert {r["key"]: r["attempts"] for r in R.recent(engine)}["brief:leaders:2026-11-26"] == 2


def test_the_systemd_units_run_the_push_in_district_time():
    root = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
    service = (root / "dangong-push.service").read_text(encoding="utf-8")
    timer = (root / "dangong-push.timer").read_text(encoding="utf-8")
    assert "Type=oneshot" in service and "\nExecStart=/opt/dangong/.venv/bin/dangong push run\n" in service
    assert "SuccessExitStatus=0 2" in service  # 2: a message failed every attempt (reported, not a unit failure)
    assert "\nOnCalendar=*-*-* 07..21:00/15 Asia/Shanghai\n" in timer and "WantedBy=timers.target" in timer


def test_two_runs_at_once_send_each_message_once(made, smtp_server, webhook_server):
    """cron and a hand-started run at the same moment: every message planned once, claimed by one of
    them and sent once."""
    engine, _ = made
    cfg = config(smtp_server.port, webhook_server.url)
    start = threading.Barrier(2)
    reports, errors = [], []

    def one():
        try:
            start.wait(10)
            reports.append(R.run(engine, cfg, NOW, today=TODAY))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert not errors and len(reports) == 2
    planned = sorted(k for r in reports for k in r.planned)
    sent = sorted(k for r in reports for k in r.sent)
    assert planned == sent == sorted(["brief:leaders:2026-11-26", "summary:leaders:2026-W48", "reminder:zzb:2026-11-24"])
    assert len(smtp_server.messages) == 2 and len(webhook_server.bodies) == 1
    assert all(r["attempts"] == 1 and r["status"] == "sent" for r in R.recent(engine))


def test_the_admin_tables_name_the_townships_and_put_the_error_first():
    from dashboard.views import push as V

    cfg = C.parse('[[channel]]\nname = "t"\nkind = "webhook"\nurl = "https://h.example/hooks/SECRET/path?k=KEY"\n'
                  'townships = ["YB", "XX"]\n')
    frame = V.channels_frame(cfg, "zh_CN", {"YB": "越北镇"})
    assert frame.iloc[0].tolist() == ["t", "Webhook（JSON）", "h.example", "越北镇、未知乡镇代码 XX", ""]
    assert "SECRET" not in frame.to_csv() and "KEY" not in frame.to_csv()
    row = {"created_at": NOW, "key": "k", "subject": None, "status": "failed", "attempts": 5, "sent_at": None,
           "last_error": "h.example answered HTTP 500"}
    table = V.log_table([row], "zh_CN")
    assert list(table.frame.columns[:3]) == ["生成时间（UTC+8）", "状态", "尝试次数"]
    assert table.frame.iloc[0]["状态"] == "失败" and table.colours == ["red"] and V.failed_count([row]) == 1
    assert table.frame.iloc[0]["生成时间（UTC+8）"] == "2026-11-24 16:00"
