"""The benchmark databases: the demo district (a fresh temporary file) and scale data (cached).

Scale databases are made with the real commands (``dangong db upgrade`` then
``dangong seed --scale N --seed S --today 2026-11-24``) and cached under ``bench/.cache/``
keyed by N, seed and today. A cached file is reused while it describes the same dataset:

* made by the same generator (a hash of its source files, kept in the ``.json`` next to the
  file): else it is regenerated;
* at an older schema revision known to the code: ``dangong db upgrade`` migrates it in place,
  as a deployment would (timed and reported); at an unknown revision: regenerated;
* made with other summary code, or with stale summaries: ``dangong db refresh-summary``.

How long the generator took is kept in the ``.json``, so a later run can still report it.

**PostgreSQL** (``backend="postgresql"``): the same data in a database ``dangong_bench_<size>``
(``dangong_bench_1m``) on the server ``.ci/run`` sets up (PostgreSQL 15 on 127.0.0.1:5432, role
``root``; ``DANGONG_BENCH_POSTGRES_URL`` names another server). When the server does not answer,
:func:`postgres_server` starts the local cluster the way ``.ci/run`` does (``pg_ctlcluster <ver>
main start``); when it still does not answer, the caller skips PostgreSQL with the reason. The
database is created, migrated and seeded with the same commands (``seed --scale`` writes through
COPY there), then ``VACUUM (ANALYZE)`` (timed apart), and kept: its fingerprints are in
``bench/.cache/pg-dangong_bench_<size>.json`` and the same rules decide whether it is reused,
migrated, refreshed or made again. Only databases named ``dangong_bench_…`` are ever dropped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
BIN = Path(sys.executable).parent
TODAY = dt.date(2026, 11, 24)  # the story's end in every benchmark database, and the as-of date
SCALE_SEED = 7

#: Source files whose change changes the generated data (regenerate) or the summaries (refresh).
GENERATOR_FILES = ("seed_data/scale.py", "seed_data/facts.py")
SUMMARY_FILES = ("models/summary.py",)

#: the PostgreSQL server of the benchmark (a maintenance database on it); databases are made beside it
PG_SERVER_URL = os.environ.get("DANGONG_BENCH_POSTGRES_URL", "postgresql+psycopg://root:root@127.0.0.1:5432/postgres")
PG_PREFIX = "dangong_bench_"
BACKENDS = ("sqlite", "postgresql")

_PROGRESS = re.compile(r"^\s*\[\s*(?P<t>[\d.]+)s\]\s+scale (?P<stage>.*?):")
_TOTAL = re.compile(r"用时 (?P<t>[\d.]+) 秒")


@dataclass
class Dataset:
    label: str  # "demo", "100k", "1m"
    n: int | None  # requested enterprises (None: the demo district)
    path: Path
    as_of: dt.date
    enterprises: int = 0
    townships: int = 0
    file_bytes: int = 0
    cached: bool = False  # reused from bench/.cache
    #: what was done to a reused file in this run: "upgraded 0003 → 0004 (2.1 s)", "summaries refreshed (…)"
    prepared: list[str] = field(default_factory=list)
    #: every in-place migration of the cached file since it was generated: "0003 → 0004 (1.5 s, 2026-11-24 05:32)"
    upgrades: list[str] = field(default_factory=list)
    #: seconds: wall (the ``dangong seed`` process), generate, summary, upgrade; None when unknown
    seed_seconds: dict[str, float | None] = field(default_factory=dict)
    backend: str = "sqlite"  # or "postgresql": ``path`` is then the cache's .json, the data in ``database``
    database: str | None = None  # PostgreSQL: the database's name
    server: str = ""  # PostgreSQL: "PostgreSQL 15.x" (what ``SELECT version()`` starts with)

    @property
    def url(self) -> str:
        if self.backend == "postgresql":
            return pg_url(self.database or "")
        return f"sqlite:///{self.path}"

    @property
    def key(self) -> str:
        """The column of the report: ``1m`` on SQLite, ``1m PG`` on PostgreSQL."""
        return self.label if self.backend == "sqlite" else f"{self.label} PG"

    def to_json(self) -> dict:
        d = asdict(self)
        d["path"], d["as_of"] = str(self.path), self.as_of.isoformat()
        d["key"] = self.key
        return d


def parse_size(text: str) -> tuple[str, int | None]:
    """``demo`` → (demo, None); ``100k`` → (100k, 100000); ``1m`` → (1m, 1000000); ``5000`` too."""
    text = text.strip().lower()
    if text == "demo":
        return text, None
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([km]?)", text)
    if not m:
        raise ValueError(f"unknown size {text!r}: use demo, a number, or e.g. 100k, 1m")
    n = float(m.group(1)) * {"": 1, "k": 1_000, "m": 1_000_000}[m.group(2)]
    return text, int(n)


def fingerprint(files: tuple[str, ...]) -> str:
    """A short hash of these source files (relative to the checkout)."""
    h = hashlib.sha256()
    for name in files:
        h.update(name.encode() + b"\0" + (ROOT / name).read_bytes() + b"\0")
    return h.hexdigest()[:16]


def _dangong(args: list[str], url: str, *, echo: bool = True) -> tuple[float, str, str]:
    """Run ``dangong ARGS`` on ``url``; return (wall seconds, stdout, stderr). Raises on failure."""
    env = os.environ | {"DANGONG_DATABASE_URL": url}
    cmd = [str(BIN / "dangong"), *args]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    err_lines = []
    assert proc.stderr is not None and proc.stdout is not None
    for line in proc.stderr:  # progress goes to stderr: show it as it comes
        err_lines.append(line)
        if echo:
            print("    " + line.rstrip(), file=sys.stderr, flush=True)
    out = proc.stdout.read()
    rc = proc.wait()
    wall = time.perf_counter() - t0
    if rc != 0:
        raise RuntimeError(f"`dangong {' '.join(args)}` failed ({rc}):\n{out}{''.join(err_lines)}")
    return wall, out, "".join(err_lines)


def _split_seed_times(out: str, err: str) -> tuple[float | None, float | None]:
    """(generation, summary rebuild) seconds from ``dangong seed --scale``'s progress output."""
    total = _TOTAL.search(out)
    first_summary = None
    for line in err.splitlines():
        m = _PROGRESS.match(line)
        if m and m.group("stage").startswith("summary"):
            first_summary = float(m.group("t"))
            break
    if total is None or first_summary is None:
        return None, None
    return first_summary, float(total.group("t")) - first_summary


def _checkpoint(path: Path) -> None:
    """Fold the WAL into the main file so its size is the database's size."""
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()


def _describe(ds: Dataset) -> Dataset:
    if ds.backend == "sqlite":
        _checkpoint(ds.path)
    engine = sa.create_engine(ds.url)
    try:
        with engine.connect() as conn:
            ds.enterprises = conn.execute(sa.text("SELECT count(*) FROM enterprise")).scalar_one()
            ds.townships = conn.execute(sa.text("SELECT count(*) FROM township")).scalar_one()
            if ds.backend == "postgresql":
                ds.file_bytes = int(conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar_one())
                ds.server = " ".join(str(conn.execute(sa.text("SELECT version()")).scalar_one()).split()[:2])
    finally:
        engine.dispose()
    if ds.backend == "sqlite":
        ds.file_bytes = sum(p.stat().st_size for p in ds.path.parent.glob(ds.path.name + "*"))
    return ds


def demo(workdir: Path) -> Dataset:
    """The demo district as of ``TODAY`` in a fresh file (a few seconds)."""
    path = workdir / "demo.sqlite"
    ds = Dataset("demo", None, path, TODAY)
    up, _, _ = _dangong(["db", "upgrade"], ds.url, echo=False)
    wall, _, _ = _dangong(["seed", "demo", "--today", TODAY.isoformat()], ds.url, echo=False)
    ds.seed_seconds = {"wall": wall, "generate": None, "summary": None, "upgrade": up}
    return _describe(ds)


def _cached_state(ds: Dataset, n: int, seed: int, meta: dict) -> tuple[str, str]:
    """What to do with a cached scale database: ("regenerate" | "upgrade" | "refresh" | "ok", why)."""
    from models.db import current_revision, head_revision, known_revisions
    from models.summary import is_fresh

    if not (_pg_exists(ds.database) if ds.backend == "postgresql" else ds.path.exists()):
        return "regenerate", "not cached"
    made_by = meta.get("generator")
    if made_by != fingerprint(GENERATOR_FILES):
        return "regenerate", ("no generator fingerprint in " + _meta_path(ds).name if made_by is None
                              else f"generator changed ({made_by} → {fingerprint(GENERATOR_FILES)})")
    engine = sa.create_engine(ds.url)
    try:
        rev, head = current_revision(engine), head_revision()
        if rev is None or rev not in known_revisions():
            return "regenerate", f"schema revision {rev} unknown to the code (head {head})"
        with engine.connect() as conn:
            info = dict(conn.execute(sa.text("SELECT key, value FROM dataset_info")).all())
            want = {"scale_n": str(n), "seed": str(seed), "scale_today": TODAY.isoformat()}
            if any(info.get(k) != v for k, v in want.items()):
                return "regenerate", f"dataset_info {info} does not match {want}"
            if rev != head:
                return "upgrade", f"schema {rev} is not head {head}"
            if meta.get("summary") != fingerprint(SUMMARY_FILES):
                return "refresh", "summary code changed"
            if not is_fresh(conn):
                return "refresh", "stale summaries"
    finally:
        engine.dispose()
    return "ok", "ok"


def _meta_path(ds: Dataset) -> Path:
    return ds.path.with_suffix(".json") if ds.backend == "sqlite" else ds.path


def scale(label: str, n: int, *, seed: int = SCALE_SEED, regenerate: bool = False, backend: str = "sqlite") -> Dataset:
    """Scale data with ``n`` enterprises, from the cache when possible (a file, or a PostgreSQL database)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    if backend == "postgresql":
        database = pg_database_name(label)
        ds = Dataset(label, n, CACHE / f"pg-{database}.json", TODAY, backend=backend, database=database)
    else:
        ds = Dataset(label, n, CACHE / f"scale-{n}-seed{seed}-{TODAY.isoformat()}.sqlite", TODAY)
    path, meta_path = ds.path, _meta_path(ds)
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    if backend == "postgresql" and meta and (meta.get("n") != n or meta.get("seed") != seed):
        meta = {}  # another size under this label: made again
    action, why = ("regenerate", "--regenerate") if regenerate else _cached_state(ds, n, seed, meta)
    for _ in range(4):  # upgrade, then refresh if need be, then ok
        if action == "regenerate":
            break
        ds.cached = True
        if action == "upgrade":
            print(f"  {label}: cached database: {why}; dangong db upgrade", file=sys.stderr, flush=True)
            wall, out, _ = _dangong(["db", "upgrade"], ds.url)
            step = f"{out.split(': ', 1)[-1].split('（')[0].strip()} ({wall:.1f} s)"
            ds.prepared.append(f"upgraded {step}")
            meta.setdefault("upgrades", []).append(
                {"step": step, "seconds": wall, "at": dt.datetime.now().isoformat(timespec="seconds")})
        elif action == "refresh":
            print(f"  {label}: cached database: {why}; dangong db refresh-summary", file=sys.stderr, flush=True)
            wall, _, _ = _dangong(["db", "refresh-summary"], ds.url)
            ds.prepared.append(f"summaries refreshed, {why} ({wall:.0f} s)")
            meta["summary"] = fingerprint(SUMMARY_FILES)
            if backend == "postgresql":
                ds.prepared.append(f"VACUUM (ANALYZE) ({_pg_vacuum_analyze(ds):.0f} s)")
        else:  # ok
            meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False))
            ds.seed_seconds = meta.get("seed_seconds", {})
            ds.upgrades = [f"{u['step'][:-1]}, {u['at'][:16].replace('T', ' ')})" for u in meta.get("upgrades", [])]
            return _describe(ds)
        action, why = _cached_state(ds, n, seed, meta)
    else:
        raise RuntimeError(f"{path}: still not usable after upgrading and refreshing ({why})")
    where = f"PostgreSQL database {ds.database}" if backend == "postgresql" else str(path)
    print(f"  {label}: generating {n:,} enterprises into {where} ({why}); this is measured", file=sys.stderr,
          flush=True)
    meta_path.unlink(missing_ok=True)
    if backend == "postgresql":
        _pg_recreate(ds.database)
    else:
        for p in path.parent.glob(path.name + "*"):
            p.unlink()
    ds.cached = False
    up, _, _ = _dangong(["db", "upgrade"], ds.url, echo=False)
    wall, out, err = _dangong(["seed", "--scale", str(n), "--seed", str(seed), "--today", TODAY.isoformat()], ds.url)
    gen, summ = _split_seed_times(out, err)
    ds.seed_seconds = {"wall": wall, "generate": gen, "summary": summ, "upgrade": up}
    if backend == "postgresql":
        ds.seed_seconds["vacuum_analyze"] = _pg_vacuum_analyze(ds)
    _describe(ds)
    meta_path.write_text(json.dumps({
        "n": n, "seed": seed, "today": TODAY.isoformat(), "seed_seconds": ds.seed_seconds,
        "generated_at": dt.datetime.now().isoformat(timespec="seconds"),
        "generator": fingerprint(GENERATOR_FILES), "summary": fingerprint(SUMMARY_FILES),
    }, indent=2, ensure_ascii=False))
    return ds


def make(label: str, n: int | None, *, regenerate: bool = False, backend: str = "sqlite") -> Dataset:
    if n is None:
        if backend == "postgresql":
            return demo_postgres()
        return demo(Path(tempfile.mkdtemp(prefix="dangong-bench-")))
    return scale(label, n, regenerate=regenerate, backend=backend)


# --------------------------------------------------------------------------- PostgreSQL


def pg_database_name(label: str) -> str:
    """``dangong_bench_1m`` for the size ``1m`` (letters, digits and ``_`` only)."""
    name = PG_PREFIX + re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    if not re.fullmatch(r"dangong_bench_[a-z0-9_]{1,40}", name):
        raise ValueError(f"no database name for the size {label!r}")
    return name


def pg_url(database: str) -> str:
    return sa.make_url(PG_SERVER_URL).set(database=database).render_as_string(hide_password=False)


def _pg_admin() -> sa.Engine:
    return sa.create_engine(PG_SERVER_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})


def _pg_answers() -> str | None:
    """None when the server answers, else why not (one line, no password)."""
    engine = _pg_admin()
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means: not usable
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    finally:
        engine.dispose()


def _start_local_cluster() -> str:
    """Start the local cluster as ``.ci/run`` does (``pg_ctlcluster <newest version> main start``)."""
    versions = sorted((p.name for p in Path("/usr/lib/postgresql").glob("*") if p.name.isdigit()), key=int)
    if not versions or not shutil.which("pg_ctlcluster"):
        return "no local PostgreSQL installed (/usr/lib/postgresql, pg_ctlcluster)"
    proc = subprocess.run(["pg_ctlcluster", versions[-1], "main", "start"], capture_output=True, text=True)
    for _ in range(30):
        if _pg_answers() is None:
            return f"started the local cluster {versions[-1]}/main"
        time.sleep(1)
    return f"pg_ctlcluster {versions[-1]} main start: {(proc.stderr or proc.stdout).strip()[:200] or 'no answer'}"


def postgres_server() -> str | None:
    """None when the benchmark's PostgreSQL server answers (starting the local cluster if it is
    down and the URL is local); else the reason, for the report's "skipped" line."""
    why = _pg_answers()
    if why is None:
        return None
    if sa.make_url(PG_SERVER_URL).host in ("127.0.0.1", "localhost", None):
        started = _start_local_cluster()
        print(f"  PostgreSQL did not answer ({why}); {started}", file=sys.stderr, flush=True)
        if _pg_answers() is None:
            return None
    return f"PostgreSQL at {sa.make_url(PG_SERVER_URL).render_as_string(hide_password=True)} did not answer ({why})"


def _pg_exists(database: str | None) -> bool:
    engine = _pg_admin()
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database}).first() is not None
    finally:
        engine.dispose()


def _pg_recreate(database: str | None) -> None:
    """Drop (ours only: ``dangong_bench_…``) and create the database."""
    if not database or not database.startswith(PG_PREFIX) or not re.fullmatch(r"[a-z0-9_]+", database):
        raise ValueError(f"refusing to recreate the database {database!r}: not a benchmark database")
    engine = _pg_admin()
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{database}"'))
    finally:
        engine.dispose()


def _pg_vacuum_analyze(ds: Dataset) -> float:
    """``VACUUM (ANALYZE)`` of the whole database (statistics for the planner, the visibility map for
    index-only scans: what autovacuum would do some time after a bulk load); its seconds."""
    engine = sa.create_engine(ds.url, isolation_level="AUTOCOMMIT")
    t0 = time.perf_counter()
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("VACUUM (ANALYZE)"))
    finally:
        engine.dispose()
    return time.perf_counter() - t0


def demo_postgres() -> Dataset:
    """The demo district in ``dangong_bench_demo``, made again on every run (a few seconds)."""
    database = pg_database_name("demo")
    ds = Dataset("demo", None, CACHE / f"pg-{database}.json", TODAY, backend="postgresql", database=database)
    _pg_recreate(database)
    up, _, _ = _dangong(["db", "upgrade"], ds.url, echo=False)
    wall, _, _ = _dangong(["seed", "demo", "--today", TODAY.isoformat()], ds.url, echo=False)
    ds.seed_seconds = {"wall": wall, "generate": None, "summary": None, "upgrade": up,
                       "vacuum_analyze": _pg_vacuum_analyze(ds)}
    return _describe(ds)
