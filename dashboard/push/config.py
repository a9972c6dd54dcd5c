"""The push set-up: one TOML file (the setting ``DANGONG_PUSH_CONFIG``; deploy/push.example.toml),
checked by pydantic so a mistake is one sentence naming the key — never a stack trace, never a
half-run. Secrets are not in the file: it names the environment variables that hold them (the SMTP
password, a 钉钉 robot's signing secret), read when a message is sent and never logged."""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

#: what a channel may receive
SENDS = ("brief", "summary", "reminders", "escalation")
#: attachments of a brief by e-mail
FORMATS = ("pdf", "pptx", "docx")


class ConfigError(ValueError):
    """The push file is missing, not TOML, or says something impossible: the message says where."""


class PasswordFileError(ConfigError):
    """``smtp.password_file`` cannot be read: its path and the error's class (never the content)."""

    def __init__(self, path: str, error: str):
        super().__init__(f"smtp.password_file {path}: cannot be read ({error})")
        self.path, self.error = path, error


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Smtp(_Model):
    host: str = Field(min_length=1)
    port: int = Field(default=465, ge=1, le=65535)
    #: ``ssl`` (SMTPS, usually 465), ``starttls`` (usually 587) or ``none`` (a relay on the local network)
    security: Literal["ssl", "starttls", "none"] = "ssl"
    user: str | None = None
    #: the environment variable holding the password (never the password itself)
    password_env: str = "DANGONG_SMTP_PASSWORD"
    #: or a file holding it (a systemd credential, ``LoadCredential=`` → ``/run/credentials/…``; a
    #: container secret): read when a message is sent, first line, taken before ``password_env``
    password_file: str | None = None
    sender: str = Field(min_length=3)
    timeout: float = Field(default=20, gt=0, le=300)
    #: the CA certificates (PEM) that sign the server's certificate when it is not a public one (an
    #: in-house relay); empty: the system's. The certificate and its host name are always checked.
    cafile: str | None = None

    def password(self) -> str | None:
        """The password from ``password_file`` or ``password_env``; a file that cannot be read is a
        :class:`ConfigError` naming the file (never its content)."""
        if self.password_file:
            try:
                text = Path(self.password_file).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise PasswordFileError(self.password_file, type(exc).__name__) from None
            return text.splitlines()[0] if text.strip() else None
        return os.environ.get(self.password_env) or None


class Channel(_Model):
    """A named recipient: an e-mail list, a 企业微信 group robot, a 钉钉 robot or a JSON webhook. Its
    ``townships`` (codes; empty: the whole district) are the scope of every figure it receives;
    ``units`` (codes of owner units) the units whose 督办 reminders it receives."""

    name: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_\-\u4e00-\u9fff]+$")
    kind: Literal["email", "wecom", "dingtalk", "webhook"]
    to: tuple[str, ...] = ()
    url: str | None = None
    #: 钉钉 robot with 加签: the environment variable holding its secret
    secret_env: str | None = None
    townships: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    sends: tuple[Literal["brief", "summary", "reminders", "escalation"], ...] = ()
    #: the brief's attachments by e-mail
    formats: tuple[Literal["pdf", "pptx", "docx"], ...] = ("pdf", "docx")
    locale: Literal["zh_CN", "en"] = "zh_CN"

    @field_validator("to")
    @classmethod
    def _addresses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for address in value:
            if "@" not in address or any(c in address for c in " ,;<>\r\n"):
                raise ValueError(f"not an e-mail address: {address!r}")
        return value

    @model_validator(mode="after")
    def _complete(self) -> "Channel":
        if self.kind == "email" and not self.to:
            raise ValueError(f"channel {self.name}: an e-mail channel needs 'to' (its addresses)")
        if self.kind != "email":
            if not self.url or not self.url.startswith(("http://", "https://")):
                raise ValueError(f"channel {self.name}: a {self.kind} channel needs 'url' (http:// or https://)")
            if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in self.url):  # the URL itself is not
                # repeated: a robot's key is in it
                raise ValueError(f"channel {self.name}: 'url' contains a space or a control character")
            if self.to:
                raise ValueError(f"channel {self.name}: 'to' is for e-mail channels; a {self.kind} channel posts to 'url'")
        if "reminders" in self.sends and not self.units:
            raise ValueError(f"channel {self.name}: 'reminders' needs 'units' (the owner units reminded)")
        return self


class Schedule(_Model):
    #: planned district joint meetings: the brief goes out ``brief_days_before`` days before each
    meetings: tuple[dt.date, ...] = ()
    brief_days_before: int = Field(default=3, ge=0, le=60)
    summary: Literal["weekly", "monthly", "off"] = "weekly"
    #: weekly: the day of the week it goes out (1 Monday … 7 Sunday); monthly: the 1st
    summary_weekday: int = Field(default=1, ge=1, le=7)
    reminders: Literal["daily", "off"] = "daily"
    #: items overdue more than this many days go to the channels that take 'escalation'
    escalate_after_days: int = Field(default=7, ge=1, le=365)
    #: attempts before a message is marked failed; the waits between them (minutes)
    max_attempts: int = Field(default=5, ge=1, le=20)
    retry_minutes: tuple[int, ...] = (5, 30, 120, 360)


class PushConfig(_Model):
    #: the dashboard's address, for the links in the messages
    base_url: str = Field(default="http://localhost:8501", pattern=r"^https?://")
    smtp: Smtp | None = None
    channel: tuple[Channel, ...] = ()
    schedule: Schedule = Schedule()

    @model_validator(mode="after")
    def _consistent(self) -> "PushConfig":
        names = [c.name for c in self.channel]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"channel names must be unique: {', '.join(twice)}")
        if any(c.kind == "email" for c in self.channel) and self.smtp is None:
            raise ValueError("e-mail channels need an [smtp] section")
        return self

    def get(self, name: str) -> Channel:
        for c in self.channel:
            if c.name == name:
                return c
        raise ConfigError(f"no channel named {name!r} (channels: {', '.join(c.name for c in self.channel) or 'none'})")

    @property
    def base(self) -> str:
        return self.base_url.rstrip("/")


def parse(text: str, source: str = "push config") -> PushConfig:
    """The set-up from TOML text; :class:`ConfigError` names the key and the reason."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    try:
        return PushConfig.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "(top)"
            problems.append(f"{where}: {err['msg']}")
        raise ConfigError(f"{source}: " + "; ".join(problems)) from None


def load(path: Path | str | None) -> PushConfig:
    if path is None:
        raise ConfigError("no push set-up: set DANGONG_PUSH_CONFIG to a TOML file (see deploy/push.example.toml)")
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc})") from None
    return parse(text, str(path))
