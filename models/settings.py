"""Settings (pydantic-settings). Nothing is read at import time: call ``get_settings()``.

Sources, first wins: environment variables ``DANGONG_*`` (and a ``.env`` file), then
``.streamlit/secrets.toml`` (top-level ``DANGONG_DATABASE_URL`` or a ``[dangong]`` table with
``database_url``), then the defaults below.
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = PROJECT_ROOT / "data" / "dangong.sqlite"


def _secrets_path() -> Path:
    return Path(os.environ.get("DANGONG_SECRETS_FILE", PROJECT_ROOT / ".streamlit" / "secrets.toml"))


class _SecretsTomlSource(PydanticBaseSettingsSource):
    """Reads ``.streamlit/secrets.toml`` (the file Streamlit uses) without importing Streamlit."""

    def __init__(self, settings_cls: type[BaseSettings]):
        super().__init__(settings_cls)
        path = _secrets_path()
        data: dict[str, Any] = {}
        if path.is_file():
            try:
                with path.open("rb") as fh:
                    raw = tomllib.load(fh)
            except tomllib.TOMLDecodeError as exc:
                raise ValueError(f"配置文件 {path} 格式错误（{exc}）/ {path} is not valid TOML") from None
            section = raw.get("dangong", {})
            for field in settings_cls.model_fields:
                env_key = f"DANGONG_{field.upper()}"
                if env_key in raw:
                    data[field] = raw[env_key]
                elif isinstance(section, dict) and field in section:
                    data[field] = section[field]
        self._data = data

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._data)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DANGONG_", env_file=".env", extra="ignore")

    database_url: str = f"sqlite:///{DEFAULT_SQLITE}"
    #: seed of the deterministic demo generator
    demo_seed: int = 2002
    #: minutes of inactivity before a logged-in session ends (access-control issue)
    idle_timeout_minutes: int = 30
    #: a sign-in lasts at most this long (hours), reloads and new tabs included (the session cookie)
    session_hours: int = Field(default=12, ge=1, le=24 * 30)
    #: the key that signs the session cookie; unset: one made at random on first use and kept in the
    #: database (``dataset_info``), so every app server of one database shares it
    secret_key: str | None = Field(default=None, min_length=32)
    #: the cookie's Secure flag: ``auto`` when the request came over https (a proxy's
    #: X-Forwarded-Proto counts when Streamlit trusts it), or always / never
    cookie_secure: str = Field(default="auto", pattern="^(auto|true|false)$")
    #: whether username/password login is offered (SSO may replace it)
    local_login: bool = True
    #: minutes an account stays locked after 10 failed logins in a row (an admin can unlock earlier)
    lock_minutes: int = 30
    #: first delay after a failed login; it doubles with each failure from the same client address
    #: in the window below (capped at 16 times this, 8 s) — the same for a real and an unknown username
    login_delay_seconds: float = 0.5
    #: failed logins one client address may make in the window below before it is refused (any
    #: usernames; counted in the server process)
    login_address_max_failures: int = Field(default=30, ge=1)
    #: the sliding window of ``login_address_max_failures``, in minutes
    login_address_window_minutes: float = Field(default=15, gt=0)
    #: CJK font embedded in PDF exports and used for PNG/PPTX charts: a .ttf/.otf/.ttc path, for a
    #: collection optionally ``path#index``. Unset: the first Simplified Chinese font found among the
    #: usual system paths (Debian ``fonts-noto-cjk`` first), see ``dashboard.exports.fonts``.
    cjk_font: str | None = None
    #: a campaign zone is 落后 when its task progress trails its time progress by more than this many
    #: percentage points, 超前 when it leads by more (the pace rule, ``views.status.campaign_pace``)
    campaign_pace_margin_pp: float = Field(default=10.0, ge=0, le=50)
    #: an open founding lead whose stage has not changed for more than this many days is idle
    #: (长期未推进, the pipeline's list and the brief)
    lead_idle_days: int = Field(default=60, ge=1, le=3650)
    #: 党建基数 (三有): the fewest employees an operating enterprise with fixed premises that really trades
    #: needs to count in the base (docs/kpis.md). A change makes the summaries stale until ``dangong db
    #: refresh-summary`` (the exact SQL answers meanwhile)
    base_min_employees: int = Field(default=10, ge=1, le=100_000)
    #: the base the pages open on: ``sanyou`` (三有企业, the official 党建基数) or ``all`` (全部在营企业)
    default_base: str = Field(default="sanyou", pattern="^(sanyou|all)$")
    #: compute the whole district's overview for today in the background when the app server starts,
    #: again whenever its cached figures expire or a write made them stale (``dashboard.ui.warm``), so
    #: that a leader's sign-in finds them ready; off in the test suite (tests/conftest.py)
    warm_caches: bool = True
    #: seconds a server process keeps what it has read (``dashboard.ui.data``); also how long another
    #: process may show figures from before a write made through this one. Read when the app server starts
    cache_ttl_seconds: int = Field(default=600, gt=0)
    #: the push set-up (channels, recipients, schedule: ``dashboard.push``, deploy/push.example.toml);
    #: unset: nothing is pushed
    push_config: Path | None = None
    #: the Word brief's 文号 (e.g. ``区党工办〔{year}〕1号``; ``{year}``: the brief's year); empty: none
    brief_doc_no: str = Field(default="", max_length=60)
    #: the Word brief's issuing organ (发文机关标志); empty: "<district>党工共建工作领导小组办公室"
    brief_issuer: str = Field(default="", max_length=60)

    @field_validator("database_url")
    @classmethod
    def _normalise_url(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("DANGONG_DATABASE_URL is empty")
        # Accept the URLs PostgreSQL tools print and use the psycopg 3 driver we install.
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, dotenv_settings, _SecretsTomlSource(settings_cls))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
