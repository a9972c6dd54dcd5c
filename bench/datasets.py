"""The benchmark databases: the demo district (a fresh temporary file) and scale data (cached).

Scale databases are made with the real commands (``dangong db upgrade`` then
``dangong seed --scale N --seed S``, with the story's ``today`` pinned, see
``bench.dangong_pinned``) and cached under ``bench/.cache/`` keyed by N, seed and today. A
cached file is reused while it is at the code's schema head and describes the same dataset;
its summary tables are rebuilt if they are stale. How long the generator took is kept next to
the file (``.json``), so a later run can still report it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
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
    #: seconds: wall (the ``dangong seed`` process), generate, summary, upgrade; None when unknown
    seed_seconds: dict[str, float | None] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def to_json(self) -> dict:
        d = asdict(self)
        d["path"], d["as_of"] = str(self.path), self.as_of.isoformat()
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


def _dangong(args: list[str], url: str, *, pinned: bool = False, echo: bool = True) -> tuple[float, str, str]:
    """Run ``dangong ARGS`` on ``url``; return (wall seconds, stdout, stderr). Raises on failure."""
    env = os.environ | {"DANGONG_DATABASE_URL": url}
    cmd = ([sys.executable, "-m", "bench.dangong_pinned", TODAY.isoformat()] if pinned else [str(BIN / "dangong")]) + args
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
    _checkpoint(ds.path)
    engine = sa.create_engine(ds.url)
    try:
        with engine.connect() as conn:
            ds.enterprises = conn.execute(sa.text("SELECT count(*) FROM enterprise")).scalar_one()
            ds.townships = conn.execute(sa.text("SELECT count(*) FROM township")).scalar_one()
    finally:
        engine.dispose()
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


def _cached_ok(path: Path, n: int, seed: int) -> tuple[bool, str]:
    """Whether a cached scale database can be reused (and why not)."""
    from models.db import current_revision, head_revision
    from models.summary import is_fresh

    if not path.exists():
        return False, "not cached"
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        rev = current_revision(engine)
        if rev != head_revision():
            return False, f"schema {rev} is not head {head_revision()}"
        with engine.connect() as conn:
            info = dict(conn.execute(sa.text("SELECT key, value FROM dataset_info")).all())
            want = {"scale_n": str(n), "seed": str(seed), "scale_today": TODAY.isoformat()}
            if any(info.get(k) != v for k, v in want.items()):
                return False, f"dataset_info {info} does not match {want}"
            if not is_fresh(conn):
                return True, "stale summaries"
    finally:
        engine.dispose()
    return True, "ok"


def scale(label: str, n: int, *, seed: int = SCALE_SEED, regenerate: bool = False) -> Dataset:
    """Scale data with ``n`` enterprises, from the cache when possible."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"scale-{n}-seed{seed}-{TODAY.isoformat()}.sqlite"
    meta = path.with_suffix(".json")
    ds = Dataset(label, n, path, TODAY)
    ok, why = (False, "--regenerate") if regenerate else _cached_ok(path, n, seed)
    if ok:
        ds.cached = True
        if why == "stale summaries":
            print(f"  {label}: cached database has stale summaries; dangong db refresh-summary", flush=True)
            _dangong(["db", "refresh-summary"], ds.url)
        ds.seed_seconds = json.loads(meta.read_text())["seed_seconds"] if meta.exists() else {}
        return _describe(ds)
    print(f"  {label}: generating {n:,} enterprises ({why}); this is measured", flush=True)
    for p in path.parent.glob(path.name + "*"):
        p.unlink()
    meta.unlink(missing_ok=True)
    up, _, _ = _dangong(["db", "upgrade"], ds.url, echo=False)
    wall, out, err = _dangong(["seed", "--scale", str(n), "--seed", str(seed)], ds.url, pinned=True)
    gen, summ = _split_seed_times(out, err)
    ds.seed_seconds = {"wall": wall, "generate": gen, "summary": summ, "upgrade": up}
    _describe(ds)
    meta.write_text(json.dumps({"n": n, "seed": seed, "today": TODAY.isoformat(), "seed_seconds": ds.seed_seconds,
                                "generated_at": dt.datetime.now().isoformat(timespec="seconds")}, indent=2))
    return ds


def make(label: str, n: int | None, *, regenerate: bool = False) -> Dataset:
    if n is None:
        return demo(Path(tempfile.mkdtemp(prefix="dangong-bench-")))
    return scale(label, n, regenerate=regenerate)
