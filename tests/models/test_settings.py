"""``models/settings.py``: where the database URL comes from, and how it is normalised.

The autouse fixture in tests/conftest.py sets DANGONG_DATABASE_URL and DANGONG_SECRETS_FILE for
every test; each test here changes or removes them with ``monkeypatch`` and clears the cache.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy.engine import make_url

from models.settings import Settings, get_settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PG = "postgresql+psycopg://dangong:pw@db.example:5432/dangong"


@pytest.fixture
def clean(monkeypatch, tmp_path):
    """No URL in the environment, no secrets file, and a working directory without a .env file."""
    monkeypatch.delenv("DANGONG_DATABASE_URL", raising=False)
    monkeypatch.setenv("DANGONG_SECRETS_FILE", str(tmp_path / "absent-secrets.toml"))
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    get_settings.cache_clear()
    return tmp_path


def write_secrets(monkeypatch, tmp_path, text: str) -> Path:
    path = tmp_path / "secrets.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("DANGONG_SECRETS_FILE", str(path))
    get_settings.cache_clear()
    return path


def test_default_url_is_a_sqlite_file_under_the_project_data_directory(clean):
    url = make_url(get_settings().database_url)
    assert url.get_backend_name() == "sqlite"
    db = Path(url.database)
    assert db.is_absolute()
    assert db.parent == PROJECT_ROOT / "data"
    assert db.suffix == ".sqlite"


def test_default_does_not_depend_on_the_working_directory(clean, monkeypatch, tmp_path):
    first = get_settings().database_url
    other = tmp_path / "elsewhere"
    other.mkdir()
    monkeypatch.chdir(other)
    get_settings.cache_clear()
    assert get_settings().database_url == first


def test_environment_variable_wins_over_default(clean, monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'env.sqlite'}"
    monkeypatch.setenv("DANGONG_DATABASE_URL", url)
    get_settings.cache_clear()
    assert get_settings().database_url == url


def test_secrets_file_top_level_key(clean, monkeypatch, tmp_path):
    write_secrets(monkeypatch, tmp_path, f'DANGONG_DATABASE_URL = "{PG}"\n')
    assert get_settings().database_url == PG


def test_secrets_file_dangong_table(clean, monkeypatch, tmp_path):
    write_secrets(monkeypatch, tmp_path, f'other = 1\n\n[dangong]\ndatabase_url = "{PG}"\n')
    assert get_settings().database_url == PG


def test_secrets_file_beats_the_default(clean, monkeypatch, tmp_path):
    default = get_settings().database_url
    write_secrets(monkeypatch, tmp_path, f'[dangong]\ndatabase_url = "{PG}"\n')
    assert get_settings().database_url == PG != default


def test_secrets_file_without_dangong_keys_leaves_the_default(clean, monkeypatch, tmp_path):
    default = get_settings().database_url
    write_secrets(monkeypatch, tmp_path, '[connections.other]\nurl = "postgresql://x@y/z"\n[dangong]\ndemo_seed = 7\n')
    settings = get_settings()
    assert settings.database_url == default
    assert settings.demo_seed == 7


@pytest.mark.parametrize("layout", ["top", "table"])
def test_environment_beats_secrets_file(clean, monkeypatch, tmp_path, layout):
    text = f'DANGONG_DATABASE_URL = "{PG}"\n' if layout == "top" else f'[dangong]\ndatabase_url = "{PG}"\n'
    write_secrets(monkeypatch, tmp_path, text)
    env_url = f"sqlite:///{tmp_path / 'env.sqlite'}"
    monkeypatch.setenv("DANGONG_DATABASE_URL", env_url)
    get_settings.cache_clear()
    assert get_settings().database_url == env_url


def test_dotenv_file_in_working_directory_is_read_and_environment_beats_it(clean, monkeypatch, tmp_path):
    Path(".env").write_text(f"DANGONG_DATABASE_URL={PG}\n", encoding="utf-8")
    get_settings.cache_clear()
    assert get_settings().database_url == PG
    env_url = f"sqlite:///{tmp_path / 'env.sqlite'}"
    monkeypatch.setenv("DANGONG_DATABASE_URL", env_url)
    get_settings.cache_clear()
    assert get_settings().database_url == env_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@h:5432/db", "postgresql+psycopg://u:p@h:5432/db"),
        ("postgresql://u:p@h:5432/db", "postgresql+psycopg://u:p@h:5432/db"),
        ("postgresql+psycopg://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("  postgres://u@h/db  ", "postgresql+psycopg://u@h/db"),
        ("sqlite:////srv/dangong/data.sqlite", "sqlite:////srv/dangong/data.sqlite"),
    ],
)
def test_urls_are_normalised_from_the_environment(clean, monkeypatch, given, expected):
    monkeypatch.setenv("DANGONG_DATABASE_URL", given)
    get_settings.cache_clear()
    assert get_settings().database_url == expected
    assert make_url(get_settings().database_url).drivername in {"postgresql+psycopg", "sqlite"}


def test_urls_are_normalised_from_the_secrets_file(clean, monkeypatch, tmp_path):
    write_secrets(monkeypatch, tmp_path, '[dangong]\ndatabase_url = "postgres://u:p@h/db"\n')
    assert get_settings().database_url == "postgresql+psycopg://u:p@h/db"


@pytest.mark.parametrize("empty", ["", "   ", "\t\n"])
def test_empty_url_is_rejected(clean, monkeypatch, empty):
    monkeypatch.setenv("DANGONG_DATABASE_URL", empty)
    get_settings.cache_clear()
    with pytest.raises(ValidationError) as info:
        get_settings()
    assert "database_url" in str(info.value)


def test_empty_url_in_secrets_file_is_rejected(clean, monkeypatch, tmp_path):
    write_secrets(monkeypatch, tmp_path, 'DANGONG_DATABASE_URL = ""\n')
    with pytest.raises(ValidationError):
        get_settings()


def test_empty_url_passed_directly_is_rejected(clean):
    with pytest.raises(ValidationError):
        Settings(database_url="")


def test_get_settings_is_cached_until_cleared(clean, monkeypatch, tmp_path):
    first_url = f"sqlite:///{tmp_path / 'first.sqlite'}"
    second_url = f"sqlite:///{tmp_path / 'second.sqlite'}"
    monkeypatch.setenv("DANGONG_DATABASE_URL", first_url)
    get_settings.cache_clear()
    first = get_settings()
    monkeypatch.setenv("DANGONG_DATABASE_URL", second_url)
    assert get_settings() is first and first.database_url == first_url
    get_settings.cache_clear()
    assert get_settings().database_url == second_url


def test_other_settings_come_from_the_environment_with_types(clean, monkeypatch):
    defaults = get_settings()
    monkeypatch.setenv("DANGONG_DEMO_SEED", "77")
    monkeypatch.setenv("DANGONG_IDLE_TIMEOUT_MINUTES", "5")
    monkeypatch.setenv("DANGONG_LOCAL_LOGIN", "false")
    get_settings.cache_clear()
    s = get_settings()
    assert (s.demo_seed, s.idle_timeout_minutes, s.local_login) == (77, 5, False)
    assert (defaults.demo_seed, defaults.idle_timeout_minutes, defaults.local_login) != (77, 5, False)
