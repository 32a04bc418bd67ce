"""The reports of ``hygie scan``: a table, CSV and HTML built once the scan is done, JSON and
SARIF 2.1.0 written as it goes (``StreamedReport``). Each names, per finding, its HIPAA Safe
Harbor identifier and French category, and counts the findings by both."""

from __future__ import annotations

import html
import io
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import orjson

from hygie.lib.spreadsheet import csv_writer
from hygie.privacy.engine import (
    CategoryCounts,
    ColumnVerdict,
    EntityType,
    Finding,
    SkippedPart,
    category_table,
    count_categories,
    entity_categories,
)
from hygie.privacy.files import FileOutcome

# --- reports ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFinding:
    file: str
    finding: Finding


@dataclass(frozen=True)
class ScanReport:
    findings: list[ReportFinding]
    columns: list[tuple[str, ColumnVerdict]]
    skipped: list[SkippedPart]
    files_scanned: int
    bytes_scanned: int
    duration_s: float
    key_source: str
    backend: str
    # Findings beyond the per-file bound: (file, entity type, count), counted, not listed.
    not_listed: list[tuple[str, EntityType, int]] = field(default_factory=list)
    # The same, by (HIPAA identifier, French category, count), for the summary by category.
    not_listed_categories: list[tuple[str, str, int]] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        outcomes: list[FileOutcome],
        walk_skipped: list[SkippedPart],
        duration_s: float,
        key_source: str,
        backend: str,
    ) -> ScanReport:
        findings, columns, skipped = [], [], list(walk_skipped)
        not_listed: list[tuple[str, EntityType, int]] = []
        not_listed_categories: list[tuple[str, str, int]] = []
        scanned = 0
        for outcome in sorted(outcomes, key=lambda o: o.shown):
            if outcome.result is None:
                skipped.append(SkippedPart(outcome.shown, outcome.reason))
                continue
            scanned += 1
            findings += [ReportFinding(outcome.shown, f) for f in outcome.result.findings]
            columns += [(outcome.shown, c) for c in outcome.result.columns]
            skipped += [
                SkippedPart(f"{outcome.shown}!/{s.member}", s.reason)
                for s in outcome.result.skipped
            ]
            not_listed += [(outcome.shown, entity, n) for entity, n in outcome.result.omitted]
            not_listed_categories += outcome.result.omitted_categories
        total = sum(o.size for o in outcomes if o.result is not None)
        return cls(
            findings,
            columns,
            skipped,
            scanned,
            total,
            duration_s,
            key_source,
            backend,
            not_listed,
            not_listed_categories,
        )

    @property
    def findings_total(self) -> int:
        return len(self.findings) + sum(count for _file, _entity, count in self.not_listed)

    def by_category(self) -> CategoryCounts:
        counts = CategoryCounts()
        counts.add_counted(count_categories(item.finding for item in self.findings))
        counts.add_counted(self.not_listed_categories)
        return counts

    def summary(self) -> dict[str, object]:
        by_entity: dict[str, int] = {}
        for item in self.findings:
            by_entity[item.finding.entity.value] = by_entity.get(item.finding.entity.value, 0) + 1
        for _file, entity, count in self.not_listed:
            by_entity[entity.value] = by_entity.get(entity.value, 0) + count
        by_category = self.by_category().as_dict()
        return {
            "files_scanned": self.files_scanned,
            "bytes_scanned": self.bytes_scanned,
            "findings": self.findings_total,
            "findings_not_listed": self.findings_total - len(self.findings),
            "skipped": len(self.skipped),
            "duration_s": round(self.duration_s, 3),
            "mb_per_s": round(self.bytes_scanned / max(self.duration_s, 1e-6) / 1e6, 2),
            "by_entity": dict(sorted(by_entity.items())),
            "by_hipaa_identifier": by_category["hipaa"],
            "by_fr_category": by_category["fr"],
            "hmac_key": self.key_source,
            "backend": self.backend,
        }


def _where(item: ReportFinding) -> str:
    loc = item.finding.location
    place = item.file + (f"!/{loc.member}" if loc.member else "")
    if loc.line is not None:
        place += f":{loc.line}:{loc.column}"
    return place


def _finding_dict(item: ReportFinding) -> dict[str, object]:
    f, loc = item.finding, item.finding.location
    return {
        "file": item.file,
        "member": loc.member,
        "path": loc.path,
        "line": loc.line,
        "column": loc.column,
        "end_column": loc.end_column,
        "entity": f.entity.value,
        "hipaa_identifier": f.hipaa_identifier,
        "fr_category": f.fr_category,
        "confidence": f.confidence,
        "validated": f.is_validated,
        "detector": f.detector,
        "masked": f.masked,
        "value_hash": f.value_hash,
        "table_column": f.table_column,
    }


_CSV_FIELDS = (
    "file",
    "member",
    "path",
    "line",
    "column",
    "end_column",
    "entity",
    "hipaa_identifier",
    "fr_category",
    "confidence",
    "validated",
    "detector",
    "masked",
    "value_hash",
    "table_column",
)


def render_csv(report: ScanReport) -> str:
    buffer = io.StringIO()
    # A file name or masked value may start like a formula: neutralised (CSV injection).
    writer = csv_writer(buffer, lineterminator="\n")
    writer.writerow(_CSV_FIELDS)
    for item in report.findings:
        finding = _finding_dict(item)
        writer.writerow(finding[name] for name in _CSV_FIELDS)
    return buffer.getvalue()


def _sarif_level(finding: Finding) -> str:
    return (
        "error" if finding.confidence >= 0.8 else "warning" if finding.confidence >= 0.5 else "note"
    )


def render_table(report: ScanReport) -> str:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=io.StringIO(), width=160, force_terminal=False, color_system=None)
    findings = Table(title=f"PHI findings ({len(report.findings)})")
    headers = ("location", "path", "entity", "HIPAA", "FR category", "conf.", "valid", "sample")
    for header in (*headers, "detector"):
        findings.add_column(header, overflow="fold")
    for item in report.findings:
        f = item.finding
        findings.add_row(
            _where(item),
            f.location.path,
            f.entity.value,
            f.hipaa_identifier,
            f.fr_category,
            f"{f.confidence:.2f}",
            "yes" if f.is_validated else "no",
            f.masked,
            f.detector,
        )
    console.print(findings)
    if report.columns:
        columns = Table(title="Columns")
        for header in ("file", "column", "entity", "rows"):
            columns.add_column(header)
        for file, c in report.columns:
            place = file + (f"!/{c.member}" if c.member else "")
            columns.add_row(
                place,
                c.column,
                c.entity.value,
                f"{c.rows_with_entity}/{c.total_rows} ({c.share:.0%})",
            )
        console.print(columns)
    if report.skipped:
        skipped = Table(title=f"Skipped ({len(report.skipped)})")
        skipped.add_column("file")
        skipped.add_column("reason")
        for s in report.skipped:
            skipped.add_row(s.member, s.reason)
        console.print(skipped)
    for file, entity, count in report.not_listed:
        console.print(f"{file}: {count} further {entity.value} findings not listed")
    for title, rows in _category_summary(report.by_category()):
        table = Table(title=title)
        for header in ("category", "label", "findings"):
            table.add_column(header, overflow="fold")
        for code, label, count in rows:
            table.add_row(code, label, str(count))
        console.print(table)
    summary = report.summary()
    console.print(
        f"{summary['files_scanned']} files, {summary['bytes_scanned']} bytes in "
        f"{summary['duration_s']} s ({summary['mb_per_s']} MB/s); {summary['findings']} findings; "
        f"{summary['skipped']} skipped; HMAC key: {summary['hmac_key']}; "
        f"matcher: {summary['backend']}"
    )
    output = console.file
    assert isinstance(output, io.StringIO)
    return output.getvalue()


def _category_summary(counts: CategoryCounts) -> list[tuple[str, list[tuple[str, str, int]]]]:
    """The two summaries a DPO reads first, with the categories' English labels (the CLI's
    language; the web pages show them in the reader's)."""
    return [
        (
            "Findings by HIPAA Safe Harbor identifier",
            [(row.code, row.label.en, row.count) for row in counts.hipaa_rows()],
        ),
        (
            "Findings by French category",
            [(row.code, row.label.en, row.count) for row in counts.fr_rows()],
        ),
    ]


def render_html(report: ScanReport) -> str:
    """One self-contained page (no external assets: hospitals run air-gapped)."""
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(_where(i))}</td><td>{e(i.finding.location.path)}</td>"
        f"<td>{e(i.finding.entity.value)}</td><td>{e(i.finding.hipaa_identifier)}</td>"
        f"<td>{e(i.finding.fr_category)}</td><td>{i.finding.confidence:.2f}</td>"
        f"<td>{'yes' if i.finding.is_validated else 'no'}</td><td>{e(i.finding.masked)}</td>"
        f"<td>{e(i.finding.detector)}</td></tr>"
        for i in report.findings
    )
    columns = "".join(
        f"<tr><td>{e(file)}</td><td>{e(c.column)}</td><td>{e(c.entity.value)}</td>"
        f"<td>{c.rows_with_entity}/{c.total_rows}</td></tr>"
        for file, c in report.columns
    )
    skipped = "".join(
        f"<tr><td>{e(s.member)}</td><td>{e(s.reason)}</td></tr>" for s in report.skipped
    )
    summary = "".join(
        f"<li>{e(str(k))}: {e(str(v))}</li>"
        for k, v in report.summary().items()
        if k not in ("by_hipaa_identifier", "by_fr_category")  # tables below, with labels
    )
    by_category = "".join(
        f"<h2>{e(title)}</h2><table><tr><th>category</th><th>label</th><th>findings</th></tr>"
        + "".join(
            f"<tr><td>{e(code)}</td><td>{e(label)}</td><td>{count}</td></tr>"
            for code, label, count in table_rows
        )
        + "</table>"
        for title, table_rows in _category_summary(report.by_category())
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Hygie PHI scan</title><style>body{font-family:sans-serif;margin:2em}"
        "table{border-collapse:collapse;margin-bottom:2em}td,th{border:1px solid #ccc;"
        "padding:.2em .5em;text-align:left}th{background:#eee}</style></head><body>"
        f"<h1>Hygie PHI scan</h1><ul>{summary}</ul>{by_category}"
        "<h2>Findings</h2><table><tr><th>location</th><th>path</th><th>entity</th>"
        "<th>HIPAA identifier</th><th>French category</th><th>confidence</th><th>validated</th>"
        f"<th>sample</th><th>detector</th></tr>{rows}</table>"
        "<h2>Columns</h2><table><tr><th>file</th><th>column</th><th>entity</th><th>rows</th>"
        f"</tr>{columns}</table><h2>Skipped</h2><table><tr><th>file</th><th>reason</th></tr>"
        f"{skipped}</table></body></html>\n"
    )


# JSON and SARIF are written as the scan goes (StreamedReport), the others once it is done.
REPORTERS: dict[str, Callable[[ScanReport], str]] = {
    "table": render_table,
    "csv": render_csv,
    "html": render_html,
}
REPORT_FORMATS = sorted([*REPORTERS, "json", "sarif"])


# --- streamed JSON and SARIF -----------------------------------------------------------------
#
# A dense tree gives hundreds of thousands of findings: JSON and SARIF reports are written as
# each file's findings come (one finding per line, orjson), never held whole. Workers render
# their files' findings to bytes themselves, so ``--jobs`` sends back bytes and counts, not
# Finding objects to pickle. Results come back in walk order (the order is stable run to run).

STREAMED_FORMATS = frozenset({"json", "sarif"})
# SARIF rules: every entity type, in a fixed order, so a result's ruleIndex is known when it is
# written (before the scan knows which types it will meet).
_SARIF_RULES = [entity.value for entity in EntityType]
_SARIF_RULE_INDEX = {rule: index for index, rule in enumerate(_SARIF_RULES)}
_SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


@dataclass(frozen=True)
class Scanned:
    """One file's outcome as the parent needs it: for streamed formats the findings are
    already rendered (``rendered``) and counted (``by_entity``), the outcome holds none."""

    outcome: FileOutcome
    rendered: bytes = b""
    by_entity: tuple[tuple[str, int], ...] = ()
    by_category: tuple[tuple[str, str, int], ...] = ()
    listed: int = 0  # findings in ``rendered``


def _dumps(value: object) -> bytes:
    """Compact JSON. A file name that is not valid UTF-8 holds lone surrogates, which orjson
    refuses: those (rare) objects are written with escapes (``\\udcff``), still valid JSON."""
    try:
        return orjson.dumps(value)
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(value, ensure_ascii=True, separators=(",", ":")).encode()


def _json_lines(file: str, findings: tuple[Finding, ...]) -> bytes:
    dumps = _dumps
    return b"".join(
        dumps(_finding_dict(ReportFinding(file, finding))) + b",\n" for finding in findings
    )


def _sarif_result(file_uri: str, file: str, f: Finding) -> dict[str, object]:
    loc = f.location
    physical: dict[str, object] = {"artifactLocation": {"uri": file_uri}}
    if not loc.member and loc.line is not None and loc.column is not None:
        region: dict[str, int] = {"startLine": loc.line, "startColumn": loc.column}
        if loc.end_column is not None:
            region["endColumn"] = loc.end_column
        physical["region"] = region
    return {
        "ruleId": f.entity.value,
        "ruleIndex": _SARIF_RULE_INDEX[f.entity.value],
        "level": _sarif_level(f),
        "message": {
            "text": f"{f.entity.value} {f.masked} (confidence {f.confidence:.2f}, "
            f"{'validated' if f.is_validated else 'not validated'})"
        },
        "locations": [
            {
                "physicalLocation": physical,
                "logicalLocations": [
                    {
                        "fullyQualifiedName": "!/".join(p for p in (loc.member, loc.path) if p)
                        or file
                    }
                ],
            }
        ],
        "partialFingerprints": {"hygieValueHash/v1": f.value_hash},
        "properties": {
            "confidence": f.confidence,
            "validated": f.is_validated,
            "detector": f.detector,
            "member": loc.member,
            "path": loc.path,
            # This value's own categories: a field map may name others than the rule's defaults
            # (an MRN in IN1-36 is a health plan number, HIPAA I).
            "hipaaIdentifier": f.hipaa_identifier,
            "frCategory": f.fr_category,
            "tags": _sarif_tags(f.hipaa_identifier, f.fr_category),
        },
    }


def _sarif_tags(hipaa: str, fr: str) -> list[str]:
    """SARIF property-bag tags (2.1.0 §3.8.2) naming the categories, for viewers that filter."""
    return [f"hipaa:{hipaa}", f"fr:{fr}"]


def _sarif_rule(rule: str) -> dict[str, object]:
    """A rule per entity type, with the categories its findings take when no field map entry
    names others (categories.yml); each result's properties say its own."""
    default = entity_categories()[EntityType(rule)]
    table = category_table()
    return {
        "id": rule,
        "name": rule,
        "shortDescription": {"text": f"Patient data: {rule}"},
        "fullDescription": {
            "text": f"Patient data: {rule}. By default HIPAA Safe Harbor identifier "
            f"{default.hipaa} ({table.hipaa[default.hipaa].en}), French category {default.fr} "
            f"({table.fr[default.fr].en}); a result in a mapped field carries the field's own."
        },
        "properties": {
            "hipaaIdentifier": default.hipaa,
            "frCategory": default.fr,
            "tags": ["phi", *_sarif_tags(default.hipaa, default.fr)],
        },
    }


def _sarif_lines(file: str, findings: tuple[Finding, ...]) -> bytes:
    if not findings:
        return b""
    uri = Path(file).resolve().as_uri()  # once per file, not once per finding
    dumps = _dumps
    return b"".join(dumps(_sarif_result(uri, file, f)) + b",\n" for f in findings)


RENDER_LINES: dict[str, Callable[[str, tuple[Finding, ...]], bytes]] = {
    "json": _json_lines,
    "sarif": _sarif_lines,
}


class StreamedReport:
    """Writes a JSON or SARIF report as files are scanned; keeps only counts and the short
    lists (skipped files, table columns, findings not listed) for the end."""

    def __init__(self, out: BinaryIO, report_format: str) -> None:
        self._out = out
        self._format = report_format
        self._pending = b""  # the last finding line, written once the next one proves a comma
        self.by_entity: Counter[str] = Counter()
        self.by_category = CategoryCounts()
        self.listed = 0
        self.files_scanned = 0
        self.bytes_scanned = 0
        self.columns: list[tuple[str, ColumnVerdict]] = []
        self.skipped: list[SkippedPart] = []
        self.not_listed: list[tuple[str, EntityType, int]] = []
        if report_format == "json":
            out.write(b'{"findings":[\n')
        else:
            out.write(
                b'{"$schema":"' + _SARIF_SCHEMA.encode() + b'","version":"2.1.0","runs":[{'
                b'"columnKind":"unicodeCodePoints","results":[\n'
            )

    def add(self, scanned: Scanned) -> None:
        outcome = scanned.outcome
        if outcome.result is None:
            self.skipped.append(SkippedPart(outcome.shown, outcome.reason))
            return
        result = outcome.result
        self.files_scanned += 1
        self.bytes_scanned += outcome.size
        if scanned.rendered:
            self._out.write(self._pending)
            self._pending = scanned.rendered
        by_entity = self.by_entity
        for entity, count in scanned.by_entity:
            by_entity[entity] += count
        self.by_category.add_counted(scanned.by_category)
        self.listed += scanned.listed
        self.columns += [(outcome.shown, c) for c in result.columns]
        self.skipped += [
            SkippedPart(f"{outcome.shown}!/{s.member}", s.reason) for s in result.skipped
        ]
        self.not_listed += [(outcome.shown, entity, n) for entity, n in result.omitted]

    @property
    def findings_total(self) -> int:
        return sum(self.by_entity.values())

    def summary(self, duration_s: float, key_source: str, backend: str) -> dict[str, object]:
        total = self.findings_total
        by_category = self.by_category.as_dict()
        return {
            "files_scanned": self.files_scanned,
            "bytes_scanned": self.bytes_scanned,
            "findings": total,
            "findings_not_listed": total - self.listed,
            "skipped": len(self.skipped),
            "duration_s": round(duration_s, 3),
            "mb_per_s": round(self.bytes_scanned / max(duration_s, 1e-6) / 1e6, 2),
            "by_entity": dict(sorted(self.by_entity.items())),
            "by_hipaa_identifier": by_category["hipaa"],
            "by_fr_category": by_category["fr"],
            "hmac_key": key_source,
            "backend": backend,
        }

    def close(self, walk_skipped: list[SkippedPart], summary: dict[str, object]) -> None:
        self.skipped = walk_skipped + self.skipped
        self._out.write(self._pending.removesuffix(b",\n") + b"\n" if self._pending else b"")
        if self._format == "json":
            tail = {
                "columns": [
                    {
                        "file": file,
                        "member": c.member,
                        "column": c.column,
                        "entity": c.entity.value,
                        "rows_with_entity": c.rows_with_entity,
                        "total_rows": c.total_rows,
                    }
                    for file, c in self.columns
                ],
                "skipped": [{"file": s.member, "reason": s.reason} for s in self.skipped],
                "not_listed": [
                    {"file": file, "entity": entity.value, "count": count}
                    for file, entity, count in self.not_listed
                ],
                "summary": summary,
            }
            self._out.write(b"]," + _dumps(tail)[1:] + b"\n")
            return
        driver = {
            "name": "hygie-scan",
            "informationUri": "https://github.com/hygie",
            "rules": [_sarif_rule(rule) for rule in _SARIF_RULES],
        }
        notifications = [
            {"level": "warning", "message": {"text": f"skipped {s.member}: {s.reason}"}}
            for s in self.skipped
        ] + [
            {
                "level": "note",
                "message": {
                    "text": f"{count} further {entity.value} findings in {file} "
                    "not listed (per-file bound)"
                },
            }
            for file, entity, count in self.not_listed
        ]
        tail = {
            "tool": {"driver": driver},
            "invocations": [
                {
                    "executionSuccessful": True,
                    "toolExecutionNotifications": notifications,
                    "properties": {"summary": summary},
                }
            ],
        }
        self._out.write(b"]," + _dumps(tail)[1:] + b"]}\n")
