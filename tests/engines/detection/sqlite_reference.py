"""Zircolite's method, as the reference Hygie's engine is checked and benchmarked against.

Rules are converted to SQL with pySigma's SQLite backend (``pysigma-backend-sqlite``), events
are loaded into an in-memory SQLite table (one column per field, ``COLLATE NOCASE`` as Zircolite
does), and every query runs over the table. Zircolite applies log-source pipelines so a rule
only sees its own events; here the same effect comes from three routing columns filled from
Hygie's declarative catalog (routing is not what this reference checks: value semantics are).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sigma.backends.sqlite import sqliteBackend
from sigma.collection import SigmaCollection
from sigma.exceptions import SigmaError

from hygie.detection.engine import RulePack, default_catalog

FULLTEXT = "_fulltext"


@dataclass(frozen=True)
class SQLRule:
    rule_id: str
    where: str  # routing predicate AND the rule's own SQL


def convert_rules(pack: RulePack) -> tuple[list[SQLRule], dict[str, str]]:
    """SQL for every emitting detection rule of the pack; and the rules the backend refused."""
    backend = sqliteBackend(fulltext_field=FULLTEXT)
    catalog = default_catalog()
    converted: list[SQLRule] = []
    refused: dict[str, str] = {}
    for loaded in pack.rules:
        if not loaded.emits:
            continue
        info = loaded.info
        try:
            queries = backend.convert(SigmaCollection([loaded.sigma]))
        except (SigmaError, NotImplementedError, ValueError) as error:
            refused[info.id] = str(error)
            continue
        routing = _routing_sql(catalog, info.logsource)
        for query in queries:
            where = query.split(" WHERE ", 1)[1]
            converted.append(SQLRule(info.id, f"({routing}) AND ({where})"))
    return converted, refused


def _routing_sql(catalog: Any, spec: Any) -> str:
    """Zircolite's pipelines turn a log source into Channel/EventID conditions; so does this,
    on the indexed (_service, EventID) columns, so SQLite only scans the rule's own events."""
    windows = catalog.windows
    parts = ["1"]
    if spec.product is not None:
        parts.append(f"_product = '{_quote(spec.product)}'")
    if spec.category is not None and spec.product == windows.product:
        routes = []
        for (service, event_id), entries in sorted(windows.routes.items()):
            for route in entries:
                if route.category != spec.category:
                    continue
                if spec.service is not None and spec.service != service:
                    continue
                when = "".join(f" AND {name} = '{_quote(value)}'" for name, value in route.when)
                routes.append(f"(_service = '{service}' AND EventID = '{event_id}'{when})")
        parts.append("(" + (" OR ".join(routes) or "0") + ")")
    elif spec.category is not None:
        parts.append(f"_categories LIKE '%|{_quote(spec.category)}|%'")
    if spec.service is not None:
        parts.append(f"_service = '{_quote(spec.service)}'")
    return " AND ".join(parts)


def _quote(text: str) -> str:
    return text.replace("'", "''")


def _regexp(pattern: str, value: Any) -> bool:
    if value is None:
        return False
    try:
        return re.search(pattern, str(value)) is not None
    except re.error:
        return False


def load_events(events: Iterable[Mapping[str, Any]], batch_size: int = 5000) -> sqlite3.Connection:
    """An in-memory SQLite table ``logs`` holding the events (row_id = position, from 0).

    Streams: columns are added as new fields appear, rows are inserted in batches, so the
    reference's memory is SQLite's own, not a Python copy of the log.
    """
    catalog = default_catalog()
    connection = sqlite3.connect(":memory:")
    connection.create_function("regexp", 2, _regexp, deterministic=True)
    connection.execute("CREATE TABLE logs (row_id INTEGER PRIMARY KEY)")
    columns: set[str] = {"row_id"}
    statements: dict[tuple[str, ...], str] = {}
    batch: dict[tuple[str, ...], list[list[Any]]] = {}
    pending = 0
    for row_id, event in enumerate(events):
        row = {key: _cell(value) for key, value in event.items()}
        key = catalog.route_key(event)
        resolved = catalog.resolve(key) if key is not None else None
        row["_product"] = resolved.product if resolved else None
        row["_service"] = resolved.service if resolved else None
        row["_categories"] = (
            "|" + "|".join(route.category for route in resolved.categories) + "|"
            if resolved
            else None
        )
        row[FULLTEXT] = "\n".join(str(v) for v in event.values() if v is not None)
        # SQLite column names are case-insensitive: keep the first spelling of a field.
        names = tuple(dict.fromkeys(name.lower() for name in row))
        for name in names:
            if name not in columns:
                connection.execute(f'ALTER TABLE logs ADD COLUMN "{name}" TEXT COLLATE NOCASE')
                columns.add(name)
        values: dict[str, Any] = {}
        for name, value in row.items():
            values.setdefault(name.lower(), value)
        batch.setdefault(names, []).append([row_id, *(values[n] for n in names)])
        pending += 1
        if pending >= batch_size:
            _flush(connection, batch, statements)
            pending = 0
    _flush(connection, batch, statements)
    for name in ("eventid", "eventtype"):
        if name not in columns:
            connection.execute(f'ALTER TABLE logs ADD COLUMN "{name}" TEXT COLLATE NOCASE')
    connection.execute("CREATE INDEX logs_route ON logs (_service, eventid)")
    return connection


def _flush(
    connection: sqlite3.Connection,
    batch: dict[tuple[str, ...], list[list[Any]]],
    statements: dict[tuple[str, ...], str],
) -> None:
    for names, rows in batch.items():
        statement = statements.get(names)
        if statement is None:
            column_list = ", ".join(f'"{name}"' for name in names)
            marks = ", ".join("?" for _ in range(len(names) + 1))
            statement = statements[names] = (
                f"INSERT INTO logs (row_id, {column_list}) VALUES ({marks})"
            )
        connection.executemany(statement, rows)
    batch.clear()


def _cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def run_rules(
    connection: sqlite3.Connection, rules: Sequence[SQLRule]
) -> tuple[set[tuple[str, int]], dict[str, str]]:
    """(rule id, row_id) of every match; and rules whose SQL SQLite rejected."""
    columns = {row[1].lower() for row in connection.execute("PRAGMA table_info(logs)")}
    matches: set[tuple[str, int]] = set()
    failed: dict[str, str] = {}
    for rule in rules:
        sql = f"SELECT row_id FROM logs WHERE {rule.where}"
        try:
            cursor = connection.execute(sql)
        except sqlite3.OperationalError as error:
            if "no such column" in str(error):
                # Zircolite's answer to a field no event has: add it, all NULL.
                missing = str(error).split("no such column: ", 1)[1].strip().strip('"')
                if missing.lower() not in columns:
                    connection.execute(f'ALTER TABLE logs ADD COLUMN "{missing}" TEXT')
                    columns.add(missing.lower())
                    matches |= run_rules(connection, [rule])[0]
                    continue
            failed[rule.rule_id] = str(error)
            continue
        matches.update((rule.rule_id, row[0]) for row in cursor)
    return matches, failed
