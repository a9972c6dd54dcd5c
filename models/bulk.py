"""Bulk writes inside the caller's transaction, shared by the scale generator (``seed_data.scale``) and
the summary rebuild (``models.summary``) (#19 item 1).

* SQLite: ``executemany`` of one compiled ``INSERT`` with plain tuples (no per-row dictionaries, no
  per-value type processing: the caller hands the values as they are stored — dates as ISO text);
* PostgreSQL with psycopg 3: ``COPY … FROM STDIN`` (dates as ``datetime.date``);
* anything else: Core ``insert()`` with dictionaries.

The rows go through the connection the caller holds, so they are part of its transaction: a failure
leaves nothing written.
"""

from __future__ import annotations

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


def batch_writer(conn: Connection, table: sa.Table, columns: Iterable[str]) -> Callable[[Batch], None]:
    """A function writing one batch of tuples (values in ``columns``' order, as stored) into ``table``."""
    columns = tuple(columns)
    missing = [c for c in columns if c not in table.c]
    if missing:  # a programming error
        raise KeyError(f"{table.name} has no column(s) {missing}")
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    if conn.dialect.name == "sqlite":  # the values in the order given (a compiled insert() has the table's)
        sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({', '.join('?' * len(columns))})"
        return lambda batch: conn.exec_driver_sql(sql, batch)
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        sql = f"COPY {quote(table.name)} ({names}) FROM STDIN"

        def copy(batch: Batch) -> None:
            raw = conn.connection.driver_connection
            try:
                with raw.cursor() as cur, cur.copy(sql) as out:
                    for row in batch:
                        out.write_row(row)
            except raw.Error as err:  # as SQLAlchemy reports any other statement's failure
                raise sa.exc.DBAPIError.instance(sql, None, err, raw.Error, hide_parameters=True,
                                                 dialect=conn.dialect) from err

        return copy
    stmt = sa.insert(table)
    return lambda batch: conn.execute(stmt, [dict(zip(columns, row, strict=True)) for row in batch])


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
