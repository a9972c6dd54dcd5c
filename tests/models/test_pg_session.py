"""What every PostgreSQL session of the app is given (``models.db.make_engine``): a lock timeout (a write
waits as long as SQLite does, then says busy) and ``work_mem`` (a hash of the 10M rule checks stays in
memory instead of spilling and stalling: docs/performance.md) and no JIT compiling (it cost more than it
saved on the pages' statements). A URL with its own ``options`` keeps them."""

from __future__ import annotations

import sqlalchemy as sa

from models import db


def test_app_sessions_get_the_lock_timeout_and_work_mem(pg_engine):
    with pg_engine.connect() as conn:
        assert conn.execute(sa.text("SHOW work_mem")).scalar_one() == db.PG_WORK_MEM == "64MB"
        assert conn.execute(sa.text("SHOW lock_timeout")).scalar_one() == f"{int(db.PG_LOCK_TIMEOUT)}s"
        assert conn.execute(sa.text("SHOW jit")).scalar_one() == db.PG_JIT == "off"
        sources = dict(conn.execute(sa.text(
            "SELECT name, source FROM pg_settings WHERE name IN ('work_mem', 'lock_timeout', 'jit')")).all())
        assert sources == dict.fromkeys(("work_mem", "lock_timeout", "jit"), "client")  # given by the app


def test_options_in_the_url_are_the_operators_choice(pg_engine):
    url = pg_engine.url.update_query_dict({"options": "-c work_mem=8MB"}).render_as_string(hide_password=False)
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SHOW work_mem")).scalar_one() == "8MB"
            # the others not given: whatever the server, role or database says, not the app's
            sources = dict(conn.execute(sa.text("SELECT name, source FROM pg_settings WHERE name IN ('lock_timeout', 'jit')")).all())
            assert "client" not in sources.values(), sources
    finally:
        engine.dispose()
