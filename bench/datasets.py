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
"""

from __future__ import annotations

import datetime as dt
import hashlib
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

#: Source files whose change changes the generated data (regenerate) or the summaries (refresh).
GENERATOR_FILES = ("seed_data/scale.py", "seed_data/facts.py")
SUMMARY_FILES = ("models/summary.py",)

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


def _cached_state(path: Path, n: int, seed: int, meta: dict) -> tuple[str, str]:
    """What to do with a cached scale database: ("regenerate" | "upgrade" | "refresh" | "ok", why)."""
    from models.db import current_revision, head_revision, known_revisions
    from models.summary import is_fresh

    if not path.exists():
        return "regenerate", "not cached"
    made_by = meta.get("generator")
    if made_by != fingerprint(GENERATOR_FILES):
        return "regenerate", ("no generator fingerprint in " + path.with_suffix(".json").name if made_by is None
                              else f"generator changed ({made_by} → {fingerprint(GENERATOR_FILES)})")
    engine = sa.create_engine(f"sqlite:///{path}")
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


def scale(label: str, n: int, *, seed: int = SCALE_SEED, regenerate: bool = False) -> Dataset:
    """Scale data with ``n`` enterprises, from the cache when possible."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"scale-{n}-seed{seed}-{TODAY.isoformat()}.sqlite"
    meta_path = path.with_suffix(".json")
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    ds = Dataset(label, n, path, TODAY)
    action, why = ("regenerate", "--regenerate") if regenerate else _cached_state(path, n, seed, meta)
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
        else:  # ok
            meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False))
            ds.seed_seconds = meta.get("seed_seconds", {})
            ds.upgrades = [f"{u['step'][:-1]}, {u['at'][:16].replace('T', ' ')})" for u in meta.get("upgrades", [])]
            return _describe(ds)
        action, why = _cached_state(path, n, seed, meta)
    else:
        raise RuntimeError(f"{path}: still not usable after upgrading and refreshing ({why})")
    print(f"  {label}: generating {n:,} enterprises ({why}); this is measured", file=sys.stderr, flush=True)
    for p in path.parent.glob(path.name + "*"):
        p.unlink()
    meta_path.unlink(missing_ok=True)
    ds.cached = False
    up, _, _ = _dangong(["db", "upgrade"], ds.url, echo=False)
    wall, out, err = _dangong(["seed", "--scale", str(n), "--seed", str(seed), "--today", TODAY.isoformat()], ds.url)
    gen, summ = _split_seed_times(out, err)
    ds.seed_seconds = {"wall": wall, "generate": gen, "summary": summ, "upgrade": up}
    _describe(ds)
    meta_path.write_text(json.dumps({
        "n": n, "seed": seed, "today": TODAY.isoformat(), "seed_seconds": ds.seed_seconds,
        "generated_at": dt.datetime.now().isoformat(timespec="seconds"),
        "generator": fingerprint(GENERATOR_FILES), "summary": fingerprint(SUMMARY_FILES),
    }, indent=2, ensure_ascii=False))
    return ds


def make(label: str, n: int | None, *, regenerate: bool = False) -> Dataset:
    if n is None:
        return demo(Path(tempfile.mkdtemp(prefix="dangong-bench-")))
    return scale(label, n, regenerate=regenerate)
