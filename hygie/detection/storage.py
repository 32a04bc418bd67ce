"""Writing events fast: prepared rows straight to the database, without model instances.

Live ingest stores tens of thousands of events a second; ``bulk_create`` spent most of that
time building ``Event`` instances and preparing each field through Django. Rows here are tuples
already holding database values (the fields already serialised to JSON); SQLite gets them with
one ``executemany``, PostgreSQL with ``COPY``. The alerts need the ids of the stored events, so
ids are assigned here, inside the caller's transaction:

- SQLite: the rows are inserted with one ``executemany`` and the ids come from the table's
  sequence: the transaction holds SQLite's single write lock from the first row on, and the
  table is ``AUTOINCREMENT``, so the rows get consecutive ids ending at ``last_insert_rowid()``.
- PostgreSQL: the ids are drawn from the table's sequence in one query, then ``COPY`` writes
  the rows with them.
- Any other database: one ``INSERT`` per row.

Must be called inside ``transaction.atomic()``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection

from hygie.detection.models import Event

# The order of a row's values; ``Event``'s columns except the id.
COLUMNS = (
    "establishment_id",
    "received_at",
    "occurred_at",
    "source",
    "product",
    "service",
    "category",
    "host",
    "fields",
    "raw",
    "parse_error",
    "asset_id",
)
RECEIVED, OCCURRED = 1, 2

Row = list[Any]


def _table() -> str:
    return Event._meta.db_table


def sqlite_datetime(value: datetime | None) -> str | None:
    """How Django's SQLite backend stores an aware datetime: naive UTC text."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(" ")


def insert_events(rows: Sequence[Row]) -> list[int]:
    """Insert ``rows`` (values in ``COLUMNS`` order); return their ids, in order."""
    if not rows:
        return []
    vendor = connection.vendor
    if vendor == "sqlite":
        return _insert_sqlite(rows)
    if vendor == "postgresql":
        return _insert_postgresql(rows)
    return _insert_each(rows)


def _insert_sqlite(rows: Sequence[Row]) -> list[int]:
    # Identifiers come from the model, values go as parameters.
    table = connection.ops.quote_name(_table())
    columns = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    marks = ", ".join(["%s"] * len(COLUMNS))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
    # A batch shares one received time and its events' times repeat (a second holds many
    # events): each distinct value is converted once.
    converted: dict[datetime, str | None] = {}
    for row in rows:
        for column in (RECEIVED, OCCURRED):
            value = row[column]
            if value is not None:
                text = converted.get(value)
                if text is None:
                    text = converted[value] = sqlite_datetime(value)
                row[column] = text
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
        cursor.execute("SELECT last_insert_rowid()")
        last = int(cursor.fetchone()[0])
    return list(range(last - len(rows) + 1, last + 1))


def _insert_postgresql(rows: Sequence[Row]) -> list[int]:
    table = _table()
    quoted = connection.ops.quote_name(table)
    columns = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(rows)],
        )
        ids = [int(value) for (value,) in cursor.fetchall()]
        raw_cursor = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
        with raw_cursor.copy(f"COPY {quoted} (id, {columns}) FROM STDIN") as copy:
            for pk, row in zip(ids, rows, strict=True):
                copy.write_row((pk, *row))
    return ids


def _insert_each(rows: Sequence[Row]) -> list[int]:
    ids = []
    for row in rows:
        values = dict(zip(COLUMNS, row, strict=True))
        values["fields"] = json.loads(values["fields"])
        event = Event(**values)
        event.save(force_insert=True)
        ids.append(event.pk)
    return ids
