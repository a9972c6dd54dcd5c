"""Bulk writes inside the caller's transaction, shared by the scale generator (``seed_data.scale``) and
the summary rebuild (``models.summary``) (#19 item 1).

* SQLite: ``executemany`` of one compiled ``INSERT`` with plain tuples (no per-row dictionaries, no
  per-value type processing: the caller hands the values as they are stored — dates as ISO text);
* PostgreSQL with psycopg 3: ``COPY … FROM STDIN`` in the binary format (dates as ``datetime.date``; each
  value dumped as the column's own type, read from the catalog: a quarter of the text format's time at 1M
  rows, in Python and on the server); and for frames of numbers, dates and a few distinct texts,
  :func:`copy_arrays` builds the binary rows with numpy, without a Python object per value;
* anything else: Core ``insert()`` with dictionaries.

The rows go through the connection the caller holds, so they are part of its transaction: a failure
leaves nothing written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

_EPOCH = np.datetime64("1970-01-01", "D")

Batch = list[tuple]

#: "no date" among int days since 1970 (a day before 1970 is negative: the ledger takes dates from 1949)
NO_DAY = -(1 << 31)


def dates_as_text(conn: Connection) -> bool:
    """Whether the connection's database stores a date as ISO text (SQLite) — the form
    :func:`batch_writer`'s rows must carry it in."""
    return conn.dialect.name == "sqlite"


def batch_writer(conn: Connection, table: sa.Table, columns: Iterable[str], *,
                 into: str | None = None) -> Callable[[Batch], None]:
    """A function writing one batch of tuples (values in ``columns``' order, as stored) into ``table``
    (or the table named ``into``, of the same columns: a rebuild's new table)."""
    columns = tuple(columns)
    missing = [c for c in columns if c not in table.c]
    if missing:  # a programming error
        raise KeyError(f"{table.name} has no column(s) {missing}")
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    name = into or table.name
    if conn.dialect.name == "sqlite":  # the values in the order given (a compiled insert() has the table's)
        sql = f"INSERT INTO {quote(name)} ({names}) VALUES ({', '.join('?' * len(columns))})"
        return lambda batch: conn.exec_driver_sql(sql, batch)
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        sql = f"COPY {quote(name)} ({names}) FROM STDIN (FORMAT binary)"
        types = column_types(conn, name, columns)

        def copy(batch: Batch) -> None:
            with _copy(conn, sql) as out:
                out.set_types(types)
                for row in batch:
                    out.write_row(row)

        return copy
    stmt = sa.insert(table) if into is None else sa.insert(sa.table(into, *(sa.column(c) for c in columns)))
    return lambda batch: conn.execute(stmt, [dict(zip(columns, row, strict=True)) for row in batch])


def column_types(conn: Connection, table: str, columns: Iterable[str]) -> list[int]:
    """PostgreSQL: the type (OID) of each of ``columns`` in ``table`` as the catalog has it — what a
    binary COPY must send (an ``int`` for ``bigint`` is 8 bytes, for ``integer`` 4)."""
    rows = dict(conn.execute(sa.text(
        "SELECT attname, atttypid::int FROM pg_attribute WHERE attrelid = CAST(:t AS regclass) AND attnum > 0 "
        "AND NOT attisdropped"), {"t": conn.dialect.identifier_preparer.quote(table)}).all())
    return [rows[c] for c in columns]


class _copy:
    """``with _copy(conn, sql) as out``: psycopg's COPY on the connection's own driver connection (in
    its transaction); a failure is reported as SQLAlchemy reports any other statement's."""

    def __init__(self, conn: Connection, sql: str):
        self.sql = sql
        self.raw = conn.connection.driver_connection
        self.dialect = conn.dialect

    def __enter__(self):
        self._cursor = self.raw.cursor()
        self._cm = self._cursor.copy(self.sql)
        try:
            return self._cm.__enter__()
        except self.raw.Error as err:
            self._cursor.close()
            raise self._wrap(err) from err

    def __exit__(self, *exc):
        try:
            self._cm.__exit__(*exc)
        except self.raw.Error as err:
            if exc[0] is None:  # else the COPY failed because of ``exc``: that one propagates
                raise self._wrap(err) from err
        finally:
            self._cursor.close()
        return False

    def _wrap(self, err):
        return sa.exc.DBAPIError.instance(self.sql, None, err, self.raw.Error, hide_parameters=True,
                                          dialect=self.dialect)


#: a binary COPY's header (signature, flags, no extension) and trailer
_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8
_TRAILER = b"\xff\xff"
#: PostgreSQL's dates count days from 2000-01-01, ours from 1970-01-01
_PG_EPOCH_DAYS = 10_957
_WIDTH = {"int2": 2, "int4": 4, "int8": 8, "date": 4, "bool": 1}


class Column:
    """One column for :func:`copy_arrays`: ``kind`` is the PostgreSQL type (``int2``, ``int4``, ``int8``, ``date``
    as int days since 1970 with :data:`NO_DAY` for none, ``bool``, or ``text``); ``values`` a numpy array (for
    ``text``: codes into ``labels``); ``null``: where the value is NULL (for a ``date``: the :data:`NO_DAY`
    values, unless given)."""

    def __init__(self, name: str, kind: str, values, *, labels: list[str] | None = None, null=None):
        if kind not in _WIDTH and kind != "text":
            raise ValueError(f"unknown kind {kind!r}")
        if (kind == "text") != (labels is not None):
            raise ValueError("a text column is codes into labels")
        self.name, self.kind = name, kind
        self.values = np.asarray(values)
        self.labels = None if labels is None else [label.encode() for label in labels]
        if null is None and kind == "date":
            null = self.values == NO_DAY
        self.null = None if null is None or not np.asarray(null).any() else np.asarray(null, dtype=bool)
        if kind in ("int2", "int4", "date") and len(self.values):
            bits = 8 * _WIDTH[kind] - 1
            shown = self.values if self.null is None else self.values[~self.null]
            shown = shown - _PG_EPOCH_DAYS if kind == "date" else shown
            if len(shown) and (shown.min() < -(1 << bits) or shown.max() >= 1 << bits):
                raise OverflowError(f"{name}: a value out of the range of {kind}")


def copy_arrays(conn: Connection, table: str, columns: list[Column], *, freeze: bool = False,
                rows_per_chunk: int = 100_000) -> int:
    """PostgreSQL (psycopg): write the rows of these column arrays into ``table`` with one binary ``COPY``,
    in their order, the bytes built by numpy — a handful of array operations per chunk instead of a Python
    object per value. Each row is first laid out at its widest (every value present, a text at its
    longest label); when some rows are narrower (a NULL has no value bytes, a shorter label fewer), the
    bytes they do not have are then dropped with one mask. ``freeze``: ``COPY … FREEZE`` (the table was
    created in this transaction). Returns the rows written."""
    n = len(columns[0].values) if columns else 0
    if any(len(c.values) != n for c in columns):
        raise ValueError("columns of different lengths")
    fields: list[tuple[str, str]] = [("n", ">i2")]
    for k, c in enumerate(columns):
        width = max((len(label) for label in c.labels), default=0) if c.kind == "text" else _WIDTH[c.kind]
        fields.append((f"l{k}", ">i4"))
        if width:
            fields.append((f"v{k}", f"S{width}" if c.kind == "text" else ">i1" if c.kind == "bool" else f">i{width}"))
    record = np.dtype(fields)
    # the bytes of each value field, to drop where the value is NULL or its label shorter than the field
    spans = {k: (record.fields[f"v{k}"][1], record.fields[f"v{k}"][0].itemsize)
             for k in range(len(columns)) if f"v{k}" in record.names}
    narrow = [k for k, c in enumerate(columns) if k in spans and (c.null is not None or c.kind == "text")]
    quote = conn.dialect.identifier_preparer.quote
    sql = (f"COPY {quote(table)} ({', '.join(quote(c.name) for c in columns)}) FROM STDIN "
           f"(FORMAT binary{', FREEZE' if freeze else ''})")
    buf = np.empty(min(n, rows_per_chunk), dtype=record)
    buf["n"] = len(columns)
    with _copy(conn, sql) as out:
        out.write(_SIGNATURE)
        for lo in range(0, n, rows_per_chunk):
            rows = slice(lo, min(lo + rows_per_chunk, n))
            chunk = buf[:rows.stop - rows.start]
            keep = None
            for k, c in enumerate(columns):
                null = None if c.null is None else c.null[rows]
                if c.kind == "text":
                    codes = c.values[rows]
                    lengths = np.array([len(label) for label in c.labels], dtype="int32")[codes]
                    chunk[f"l{k}"] = lengths
                    if k in spans:
                        chunk[f"v{k}"] = np.array(c.labels, dtype=record[f"v{k}"])[codes]
                    size = lengths
                else:
                    chunk[f"l{k}"] = _WIDTH[c.kind]
                    v = c.values[rows]
                    chunk[f"v{k}"] = v - _PG_EPOCH_DAYS if c.kind == "date" else v
                    size = None
                if null is not None:
                    chunk[f"l{k}"] = np.where(null, -1, chunk[f"l{k}"])
                if k in narrow:  # the row's value bytes: its length, none for a NULL
                    have = np.full(len(chunk), spans[k][1], dtype="int32") if size is None else size.astype("int32")
                    if null is not None:
                        have = np.where(null, 0, have)
                    if (have < spans[k][1]).any():
                        if keep is None:
                            keep = np.ones((len(chunk), record.itemsize), dtype=bool)
                        start, width = spans[k]
                        keep[:, start:start + width] = np.arange(width) < have[:, None]
            data = chunk.view(np.uint8).reshape(len(chunk), record.itemsize)
            out.write((data if keep is None else data[keep]).tobytes())
        out.write(_TRAILER)
    return n


def write_rows(conn: Connection, table: sa.Table, columns: Iterable[str], rows: Iterable[tuple], *,
               batch_size: int = 50_000, progress: Callable[[int], None] | None = None) -> int:
    """Write a stream of tuples in batches; ``progress(done)`` after each. Returns how many rows."""
    write = batch_writer(conn, table, columns)
    done, it = 0, iter(rows)
    while batch := list(islice(it, batch_size)):
        write(batch)
        done += len(batch)
        if progress is not None:
            progress(done)
    return done


def day_values(days: np.ndarray, as_text: bool) -> list[str | dt.date | None]:
    """Int days since 1970 (:data:`NO_DAY`: no date) → the stored form of a date: ISO text or ``date``."""
    days = np.asarray(days, dtype="int64")
    missing = days == NO_DAY
    values = (_EPOCH + np.where(missing, 0, days)).astype("datetime64[D]")
    out = values.astype(str).tolist() if as_text else values.astype(object).tolist()
    for k in np.flatnonzero(missing):
        out[k] = None
    return out


def frame_rows(frame: pd.DataFrame, columns: list[str], day_columns: dict[str, str], as_text: bool) -> Iterator[tuple]:
    """The rows of ``frame`` as tuples of plain Python values in ``columns``' order; a column named in
    ``day_columns`` is the frame's int-days column of that value (→ :func:`day_values`). Missing
    numbers (NaN) become None."""
    lists = []
    for col in columns:
        if col in day_columns:
            lists.append(day_values(frame[day_columns[col]].to_numpy(), as_text))
            continue
        series = frame[col]
        missing = series.isna()
        if missing.any():  # NaN, NA, NaT of any dtype (pandas' text columns hold NaN for a None)
            values = series.astype(object).tolist()
            for k in np.flatnonzero(missing.to_numpy()):
                values[k] = None
        else:
            values = series.tolist()
        lists.append(values)
    return zip(*lists, strict=True)


class DeferredIndexes:
    """PostgreSQL: for a bulk load into empty tables, in the caller's transaction — the tables' foreign
    keys and their plain indexes (not the primary and unique keys', nor a partial or expression index)
    are dropped at once; :meth:`build` makes a table's indexes again once its rows are in, :meth:`finish`
    the rest and then the foreign keys — from the catalog's own definitions (``pg_get_indexdef``,
    ``pg_get_constraintdef``: the same names, the same definitions, the migrations' schema). Each index is
    built once from sorted rows and each foreign key checked by one join, instead of every row inserted
    into every index (a trigram GIN index most of all) and checked by a trigger. A failure rolls
    everything back with the transaction. Other databases: nothing is done."""

    def __init__(self, conn: Connection, tables: Iterable[sa.Table]):
        self.conn = conn
        self.indexes: dict[str, list[str]] = {}
        self.keys: list[tuple[str, str, str]] = []
        if conn.dialect.name != "postgresql":
            return
        names = [t.name for t in tables]
        for table, _, definition in conn.execute(sa.text(
                "SELECT t.relname, c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid "
                "WHERE t.relnamespace = CAST(current_schema() AS regnamespace) AND t.relname = ANY(:t) "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
                # a predicate or an expression would come back deparsed anew (equal, not always the same text)
                "AND i.indpred IS NULL AND i.indexprs IS NULL ORDER BY t.relname, c.relname"), {"t": names}):
            self.indexes.setdefault(table, []).append(definition)
        self.keys = [tuple(k) for k in conn.execute(sa.text(
            "SELECT t.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k "
            "JOIN pg_class t ON t.oid = k.conrelid WHERE k.contype = 'f' "
            "AND t.relnamespace = CAST(current_schema() AS regnamespace) AND t.relname = ANY(:t) "
            "ORDER BY t.relname, k.conname"), {"t": names})]
        quote = conn.dialect.identifier_preparer.quote
        dropped = conn.execute(sa.text(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid "
            "WHERE t.relnamespace = CAST(current_schema() AS regnamespace) AND t.relname = ANY(:t) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
            "AND i.indpred IS NULL AND i.indexprs IS NULL"), {"t": names}).scalars().all()
        for table, name, _ in self.keys:
            conn.exec_driver_sql(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for name in dropped:
            conn.exec_driver_sql(f"DROP INDEX {quote(name)}")
        if self.indexes or self.keys:
            # each index sorted in memory, each key checked by an in-memory hash join (this transaction's settings)
            conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
            conn.exec_driver_sql("SET LOCAL work_mem = '256MB'")

    @property
    def steps(self) -> int:
        return sum(len(v) for v in self.indexes.values()) + len(self.keys)

    def build(self, table: str) -> int:
        """The indexes of ``table`` (its rows are in); how many were made."""
        made = self.indexes.pop(table, [])
        for definition in made:
            self.conn.exec_driver_sql(definition.replace("%", "%%"))
        return len(made)

    def finish(self, progress: Callable[[int, int], None] | None = None) -> None:
        """The indexes not made yet, then the foreign keys; ``progress(done, total)``."""
        quote = self.conn.dialect.identifier_preparer.quote
        steps = [d for table in list(self.indexes) for d in self.indexes.pop(table)] + [
            f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}" for table, name, definition in self.keys]
        self.keys = []
        if not steps:
            return
        for k, sql in enumerate(steps):
            if progress is not None:
                progress(k, len(steps))
            self.conn.exec_driver_sql(sql.replace("%", "%%"))
        if progress is not None:
            progress(len(steps), len(steps))


@contextlib.contextmanager
def indexes_deferred(conn: Connection, tables: Iterable[sa.Table],
                     progress: Callable[[int, int], None] | None = None) -> Iterator[DeferredIndexes]:
    """:class:`DeferredIndexes` around a bulk load: dropped before, every index and key made again after
    (those :meth:`DeferredIndexes.build` has not made already)."""
    deferred = DeferredIndexes(conn, tables)
    yield deferred
    deferred.finish(progress)
