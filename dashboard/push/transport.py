"""Sending one message: e-mail over SMTP (smtplib: SMTPS, STARTTLS or plain to a local relay) and
work-chat webhooks in their own formats — 企业微信 group robot and 钉钉 robot (markdown messages, the
钉钉 加签 when a secret is set) and a generic JSON webhook. Any failure is a :class:`SendError` with
one sentence in the channel's language (``push.error.*`` in the catalogues) that keeps the technical
detail as it came — the server, the exception's class, the answer (the password never appears in it)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
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

from dashboard.i18n import DEFAULT_LOCALE, t
from dashboard.push.config import Channel, PasswordFileError, Smtp
from dashboard.push.messages import Message


class SendError(RuntimeError):
    """The channel did not take the message (refused, timed out, an error answer)."""


def _failed(loc: str, key: str, **params) -> SendError:
    """A :class:`SendError` saying ``push.error.<key>`` in ``loc`` (the channel's language)."""
    return SendError(t(f"push.error.{key}", loc, **params))


def _why(exc: BaseException) -> str:
    """The technical detail of an exception: its class and what it said."""
    return f"{type(exc).__name__}: {exc}"


def send(channel: Channel, smtp: Smtp | None, message: Message, *, timeout: float = 20) -> str:
    """Deliver ``message`` on ``channel``; returns a short receipt: the addresses that took the mail,
    or the webhook's host and its answer ("qyapi.weixin.qq.com HTTP 200")."""
    if channel.kind == "email":
        if smtp is None:
            raise _failed(channel.locale, "no_smtp")
        return send_email(smtp, channel.to, message, loc=channel.locale)
    return post_webhook(channel, message, timeout=timeout)


def send_email(smtp: Smtp, to: tuple[str, ...], message: Message, *, loc: str = DEFAULT_LOCALE) -> str:
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
    except PasswordFileError as exc:
        raise _failed(loc, "password_file", path=exc.path, error=exc.error) from None
    except (OSError, ssl.SSLError) as exc:  # the cafile is missing or not PEM
        raise _failed(loc, "cafile", path=smtp.cafile, error=_why(exc)) from None
    server = f"{smtp.host}:{smtp.port}"
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
    except smtplib.SMTPAuthenticationError as exc:
        raise _failed(loc, "smtp_login", server=server, user=smtp.user, code=exc.smtp_code) from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise _failed(loc, "smtp_recipients", server=server, to=", ".join(exc.recipients)) from None
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        raise _failed(loc, "smtp_answer", server=server, code=exc.smtp_code, text=text) from None
    except (TimeoutError, OSError, smtplib.SMTPException) as exc:
        raise _failed(loc, "smtp_connect", server=server, error=_why(exc)) from None
    except UnicodeError as exc:  # smtplib sends the login and plain addresses as ASCII (no word of the password here)
        raise _failed(loc, "smtp_ascii", server=server, error=type(exc).__name__) from None
    if refused:
        # some recipients refused, the others took it: sent, and the receipt says who did not (the
        # send log keeps it: see ``partial``)
        took = [a for a in to if a not in refused]
        return PartialReceipt(t("push.receipt.partial", loc, took=", ".join(took), refused=", ".join(refused)))
    return ", ".join(to)


class PartialReceipt(str):
    """The receipt of a message that reached some recipients and not others (it names who refused)."""


def partial(receipt: str) -> bool:
    """True when the message reached some recipients and not others (the send log keeps the receipt)."""
    return isinstance(receipt, PartialReceipt)


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
            raise _failed(channel.locale, "secret_unset", env=channel.secret_env)
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
        raise _failed(channel.locale, "http", host=shown, code=exc.code) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise _failed(channel.locale, "connect", host=shown, error=_why(getattr(exc, "reason", exc))) from None
    except (ValueError, http.client.HTTPException) as exc:  # a malformed address or answer: its text may
        # hold the address, key included (http.client.InvalidURL quotes it) — only the class is said
        raise _failed(channel.locale, "connect", host=shown, error=type(exc).__name__) from None
    if channel.kind in ("wecom", "dingtalk"):
        # both robots answer HTTP 200 with {"errcode": 0, "errmsg": "ok"}; anything else is a refusal
        try:
            code = json.loads(answer).get("errcode")
        except (ValueError, AttributeError):
            raise _failed(channel.locale, "not_json", host=shown, code=status) from None
        if code != 0:
            raise _failed(channel.locale, "robot", host=shown, errcode=code, errmsg=json.loads(answer).get("errmsg", ""))
    return f"{shown} HTTP {status}"
