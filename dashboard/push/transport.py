"""Sending one message: e-mail over SMTP (smtplib: SMTPS, STARTTLS or plain to a local relay) and
work-chat webhooks in their own formats — 企业微信 group robot and 钉钉 robot (markdown messages, the
钉钉 加签 when a secret is set) and a generic JSON webhook. Any failure is a :class:`SendError` with
one sentence (the password never appears in it)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import smtplib
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from dashboard.push.config import Channel, ConfigError, Smtp
from dashboard.push.messages import Message


class SendError(RuntimeError):
    """The channel did not take the message (refused, timed out, an error answer)."""


def send(channel: Channel, smtp: Smtp | None, message: Message, *, timeout: float = 20) -> str:
    """Deliver ``message`` on ``channel``; returns a short receipt: the addresses that took the mail,
    or the webhook's host and its answer ("qyapi.weixin.qq.com HTTP 200")."""
    if channel.kind == "email":
        if smtp is None:
            raise SendError("no [smtp] section")
        return send_email(smtp, channel.to, message)
    return post_webhook(channel, message, timeout=timeout)


def send_email(smtp: Smtp, to: tuple[str, ...], message: Message) -> str:
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = smtp.sender
    mail["To"] = ", ".join(to)
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain="dangong")
    mail["X-Dangong-Key"] = message.key  # the idempotency key: a reader (or a filter) can see it is one message
    mail.set_content(message.text)
    for name, mime, data in message.attachments:
        main, _, sub = mime.partition("/")
        mail.add_attachment(data, maintype=main, subtype=sub, filename=name)
    try:
        password = smtp.password()
        context = ssl.create_default_context(cafile=smtp.cafile) if smtp.security != "none" else None
    except ConfigError as exc:
        raise SendError(str(exc)) from None
    except (OSError, ssl.SSLError) as exc:  # the cafile is missing or not PEM
        raise SendError(f"smtp.cafile {smtp.cafile}: {type(exc).__name__}: {exc}") from None
    try:
        if smtp.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=context)
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
        with client:
            if smtp.security == "starttls":
                client.starttls(context=context)
            if smtp.user and password:
                client.login(smtp.user, password)
            refused = client.send_message(mail)
    except smtplib.SMTPAuthenticationError:
        raise SendError(f"SMTP {smtp.host}:{smtp.port} refused the login of {smtp.user}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise SendError(f"SMTP {smtp.host}:{smtp.port} refused every recipient: {', '.join(exc.recipients)}") from None
    except smtplib.SMTPResponseException as exc:
        raise SendError(f"SMTP {smtp.host}:{smtp.port} answered {exc.smtp_code}: "
                        f"{exc.smtp_error.decode('utf-8', 'replace') if isinstance(exc.smtp_error, bytes) else exc.smtp_error}") from None
    except (TimeoutError, OSError, smtplib.SMTPException) as exc:
        raise SendError(f"SMTP {smtp.host}:{smtp.port}: {type(exc).__name__}: {exc}") from None
    except UnicodeError:  # smtplib sends the login and plain addresses as ASCII (no word of the password here)
        raise SendError(f"SMTP {smtp.host}:{smtp.port}: the user, password or an address is not ASCII "
                        "and the server does not take UTF-8") from None
    if refused:
        # some recipients refused, the others took it: sent, and the receipt says who did not (the
        # send log keeps it: see ``partial``)
        took = [a for a in to if a not in refused]
        return f"{', '.join(took)} ({PARTIAL} {', '.join(refused)})"
    return ", ".join(to)


#: the mark of a receipt some recipients refused
PARTIAL = "refused:"


def partial(receipt: str) -> bool:
    """True when the message reached some recipients and not others (the send log keeps the receipt)."""
    return PARTIAL in receipt


def _dingtalk_url(url: str, secret: str) -> str:
    """钉钉 加签: timestamp and the HMAC-SHA256 of "timestamp\\nsecret", base64, URL-encoded."""
    stamp = str(round(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={stamp}&sign={sign}"


def webhook_body(channel: Channel, message: Message) -> dict:
    """The JSON a channel's robot takes: markdown for 企业微信 and 钉钉 (their length limits kept),
    the message's fields for a generic webhook."""
    if channel.kind == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": message.markdown[:4000]}}
    if channel.kind == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": message.subject[:60], "text": message.markdown[:5000]}}
    return {"key": message.key, "kind": message.kind, "channel": channel.name, "subject": message.subject,
            "text": message.text, "markdown": message.markdown, "scope": message.scope_label,
            "as_of": message.as_of.isoformat(), "links": list(message.links)}


def post_webhook(channel: Channel, message: Message, *, timeout: float = 20) -> str:
    url = channel.url or ""
    if channel.kind == "dingtalk" and channel.secret_env:
        secret = os.environ.get(channel.secret_env)
        if not secret:
            raise SendError(f"{channel.secret_env} (the 钉钉 signing secret) is not set")
        url = _dingtalk_url(url, secret)
    body = json.dumps(webhook_body(channel, message), ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    # the host only in a message: a robot's key is in the query (企业微信, 钉钉) or in the path (others)
    shown = urllib.parse.urlsplit(channel.url or "").netloc
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http/https checked in config)
            answer = response.read(65536).decode("utf-8", "replace")
            status = response.status
    except urllib.error.HTTPError as exc:
        raise SendError(f"{shown} answered HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SendError(f"{shown}: {type(reason).__name__}: {reason}") from None
    if channel.kind in ("wecom", "dingtalk"):
        # both robots answer HTTP 200 with {"errcode": 0, "errmsg": "ok"}; anything else is a refusal
        try:
            code = json.loads(answer).get("errcode")
        except (ValueError, AttributeError):
            raise SendError(f"{shown} answered HTTP {status} without the robot's JSON") from None
        if code != 0:
            raise SendError(f"{shown} refused the message: errcode {code} ({json.loads(answer).get('errmsg', '')})")
    return f"{shown} HTTP {status}"
