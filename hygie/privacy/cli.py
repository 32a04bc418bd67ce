"""``hygie scan PATH…``: find patient data in files, without a database or Django.

Walks the given paths, scans each file with the privacy engine (in a process pool with
``--jobs``), and prints a report (table, JSON, CSV, SARIF 2.1.0 or HTML). Exit code: 0 when
nothing was found, 1 when findings were reported, 2 on a usage or fatal error. Files that cannot
be read are listed as skipped with the reason; they never stop the scan.

HMAC key: findings carry an HMAC-SHA256 of each value so repeated values can be counted. The key
is derived from ``HYGIE_SECRET_KEY`` when set (hashes then match across runs and with the
platform); otherwise a random key is drawn for the run and hashes only compare within that run.
"""

from __future__ import annotations

import html
import io
import json
import multiprocessing
import os
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import click

from hygie.lib.spreadsheet import csv_writer
from hygie.privacy.engine import (
    Backend,
    ColumnVerdict,
    EntityType,
    Finding,
    PHIDetector,
    PrivacyEngineError,
    ScanConfig,
    SkippedPart,
)
from hygie.privacy.files import FileOutcome, WalkEntry, derive_hmac_key, walk

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
KEY_ENV = "HYGIE_SECRET_KEY"

# Set in the parent before the pool forks, so workers share the compiled pattern database
# instead of each spending seconds compiling it again.
_DETECTOR: PHIDetector | None = None


def derive_key(environ: dict[str, str] | os._Environ[str]) -> tuple[bytes, str]:
    """The HMAC key and where it came from (never the key itself)."""
    secret = environ.get(KEY_ENV, "")
    if secret:
        return derive_hmac_key(secret), KEY_ENV
    return secrets.token_bytes(32), "random (this run only)"


def scan_file(entry: WalkEntry) -> FileOutcome:
    """Scan one walked file (runs in a worker). Never raises for bad input."""
    from hygie.privacy.files import scan_file as scan_one

    detector = _DETECTOR
    assert detector is not None, "the detector is built before any file is scanned"
    assert entry.path is not None
    return scan_one(detector, entry.path, shown=entry.shown, size=entry.size)


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
        total = sum(o.size for o in outcomes if o.result is not None)
        return cls(
            findings, columns, skipped, scanned, total, duration_s, key_source, backend, not_listed
        )

    @property
    def findings_total(self) -> int:
        return len(self.findings) + sum(count for _file, _entity, count in self.not_listed)

    def summary(self) -> dict[str, object]:
        by_entity: dict[str, int] = {}
        for item in self.findings:
            by_entity[item.finding.entity.value] = by_entity.get(item.finding.entity.value, 0) + 1
        for _file, entity, count in self.not_listed:
            by_entity[entity.value] = by_entity.get(entity.value, 0) + count
        return {
            "files_scanned": self.files_scanned,
            "bytes_scanned": self.bytes_scanned,
            "findings": self.findings_total,
            "findings_not_listed": self.findings_total - len(self.findings),
            "skipped": len(self.skipped),
            "duration_s": round(self.duration_s, 3),
            "mb_per_s": round(self.bytes_scanned / max(self.duration_s, 1e-6) / 1e6, 2),
            "by_entity": dict(sorted(by_entity.items())),
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
        "confidence": f.confidence,
        "validated": f.is_validated,
        "detector": f.detector,
        "masked": f.masked,
        "value_hash": f.value_hash,
        "table_column": f.table_column,
    }


def render_json(report: ScanReport) -> str:
    return (
        json.dumps(
            {
                "summary": report.summary(),
                "findings": [_finding_dict(item) for item in report.findings],
                "columns": [
                    {
                        "file": file,
                        "member": c.member,
                        "column": c.column,
                        "entity": c.entity.value,
                        "rows_with_entity": c.rows_with_entity,
                        "total_rows": c.total_rows,
                    }
                    for file, c in report.columns
                ],
                "skipped": [{"file": s.member, "reason": s.reason} for s in report.skipped],
                "not_listed": [
                    {"file": file, "entity": entity.value, "count": count}
                    for file, entity, count in report.not_listed
                ],
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    )


_CSV_FIELDS = (
    "file",
    "member",
    "path",
    "line",
    "column",
    "end_column",
    "entity",
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


def render_sarif(report: ScanReport) -> str:
    """SARIF 2.1.0: one result per finding, ruleId = entity type, region on the stored value."""
    rules = sorted({item.finding.entity.value for item in report.findings})
    results = []
    for item in report.findings:
        f, loc = item.finding, item.finding.location
        physical: dict[str, object] = {
            "artifactLocation": {"uri": Path(item.file).resolve().as_uri()},
        }
        if not loc.member and loc.line is not None and loc.column is not None:
            region: dict[str, int] = {"startLine": loc.line, "startColumn": loc.column}
            if loc.end_column is not None:
                region["endColumn"] = loc.end_column
            physical["region"] = region
        result: dict[str, object] = {
            "ruleId": f.entity.value,
            "ruleIndex": rules.index(f.entity.value),
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
                            or item.file
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
            },
        }
        results.append(result)
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "hygie-scan",
                        "informationUri": "https://github.com/hygie",
                        "rules": [
                            {
                                "id": rule,
                                "name": rule,
                                "shortDescription": {"text": f"Patient data: {rule}"},
                            }
                            for rule in rules
                        ],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": [
                            {
                                "level": "warning",
                                "message": {"text": f"skipped {s.member}: {s.reason}"},
                            }
                            for s in report.skipped
                        ]
                        + [
                            {
                                "level": "note",
                                "message": {
                                    "text": f"{count} further {entity.value} findings in {file} "
                                    "not listed (per-file bound)"
                                },
                            }
                            for file, entity, count in report.not_listed
                        ],
                    }
                ],
            }
        ],
    }
    return json.dumps(sarif, ensure_ascii=False, indent=2) + "\n"


def render_table(report: ScanReport) -> str:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=io.StringIO(), width=160, force_terminal=False, color_system=None)
    findings = Table(title=f"PHI findings ({len(report.findings)})")
    for header in ("location", "path", "entity", "conf.", "valid", "sample", "detector"):
        findings.add_column(header, overflow="fold")
    for item in report.findings:
        f = item.finding
        findings.add_row(
            _where(item),
            f.location.path,
            f.entity.value,
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


def render_html(report: ScanReport) -> str:
    """One self-contained page (no external assets: hospitals run air-gapped)."""
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(_where(i))}</td><td>{e(i.finding.location.path)}</td>"
        f"<td>{e(i.finding.entity.value)}</td><td>{i.finding.confidence:.2f}</td>"
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
    summary = "".join(f"<li>{e(str(k))}: {e(str(v))}</li>" for k, v in report.summary().items())
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Hygie PHI scan</title><style>body{font-family:sans-serif;margin:2em}"
        "table{border-collapse:collapse;margin-bottom:2em}td,th{border:1px solid #ccc;"
        "padding:.2em .5em;text-align:left}th{background:#eee}</style></head><body>"
        f"<h1>Hygie PHI scan</h1><ul>{summary}</ul>"
        "<h2>Findings</h2><table><tr><th>location</th><th>path</th><th>entity</th>"
        f"<th>confidence</th><th>validated</th><th>sample</th><th>detector</th></tr>{rows}</table>"
        "<h2>Columns</h2><table><tr><th>file</th><th>column</th><th>entity</th><th>rows</th>"
        f"</tr>{columns}</table><h2>Skipped</h2><table><tr><th>file</th><th>reason</th></tr>"
        f"{skipped}</table></body></html>\n"
    )


REPORTERS: dict[str, Callable[[ScanReport], str]] = {
    "table": render_table,
    "json": render_json,
    "csv": render_csv,
    "sarif": render_sarif,
    "html": render_html,
}


def _parse_entities(value: str | None) -> frozenset[EntityType]:
    if not value:
        return frozenset()
    names = [part.strip().upper() for part in value.split(",") if part.strip()]
    unknown = [name for name in names if name not in EntityType.__members__]
    if unknown:
        raise click.BadParameter(
            f"unknown entity type(s) {', '.join(unknown)}; known: "
            + ", ".join(EntityType.__members__),
            param_hint="--entities",
        )
    return frozenset(EntityType[name] for name in names)


def _outcomes(tasks: list[WalkEntry], jobs: int) -> Iterator[FileOutcome]:
    if jobs <= 1 or len(tasks) <= 1:
        yield from map(scan_file, tasks)
        return
    # fork: workers inherit the compiled detector (see _DETECTOR). Hospitals run Linux servers;
    # where fork is unavailable the scan stays correct in one process.
    if "fork" not in multiprocessing.get_all_start_methods():
        yield from map(scan_file, tasks)
        return
    with multiprocessing.get_context("fork").Pool(processes=jobs) as pool:
        yield from pool.imap_unordered(scan_file, tasks, chunksize=4)


def _run(tasks: list[WalkEntry], jobs: int, show_progress: bool) -> list[FileOutcome]:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    outcomes: list[FileOutcome] = []
    started = time.monotonic()
    progress = Progress(
        TextColumn("[bold]scanning"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} files"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=not show_progress,
        transient=True,
    )
    with progress:
        bar = progress.add_task("scan", total=len(tasks), rate="")
        done_bytes = 0
        for outcome in _outcomes(tasks, jobs):
            outcomes.append(outcome)
            done_bytes += outcome.size
            elapsed = max(time.monotonic() - started, 1e-6)
            rate = f"{len(outcomes) / elapsed:.0f} files/s, {done_bytes / elapsed / 1e6:.1f} MB/s"
            progress.update(bar, advance=1, rate=rate)
    return outcomes


@click.command("scan", short_help="Find patient data (PHI) in files (no database).")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--include",
    multiple=True,
    metavar="GLOB",
    help="Only scan files matching this glob (repeatable).",
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="GLOB",
    help="Skip files and directories matching this glob (repeatable).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 256),
    default=1,
    show_default=True,
    help="Files scanned in parallel (processes).",
)
@click.option(
    "--format",
    "report_format",
    type=click.Choice(sorted(REPORTERS)),
    default="table",
    show_default=True,
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of standard output.",
)
@click.option(
    "--min-confidence",
    type=click.FloatRange(0.0, 1.0),
    default=0.3,
    show_default=True,
    help="Hide findings below this confidence (checksum failures score 0.3).",
)
@click.option("--entities", metavar="LIST", help="Comma-separated entity types to report.")
@click.option(
    "--backend",
    type=click.Choice([b.value for b in Backend]),
    default="auto",
    show_default=True,
    help="Pattern matcher: hyperscan, pure-Python re, or auto.",
)
@click.option(
    "--ner-model",
    metavar="NAME",
    help="Add NER person names with this installed spaCy model (e.g. fr_core_news_sm).",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on standard error (default: when it is a terminal).",
)
def scan(
    paths: tuple[Path, ...],
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    jobs: int,
    report_format: str,
    output: Path | None,
    min_confidence: float,
    entities: str | None,
    backend: str,
    ner_model: str | None,
    progress: bool | None,
) -> None:
    """Find patient data (PHI) in files and archives under PATHS, without a database."""
    global _DETECTOR
    key, key_source = derive_key(os.environ)
    try:
        config = ScanConfig(
            hmac_key=key,
            min_confidence=min_confidence,
            entities=_parse_entities(entities),
            backend=Backend(backend),
            ner_model=ner_model,
        )
        _DETECTOR = PHIDetector(config)
    except PrivacyEngineError as error:
        click.echo(f"hygie scan: {error}", err=True)
        sys.exit(EXIT_ERROR)
    started = time.monotonic()
    walked = list(walk(paths, include, exclude))
    tasks = [entry for entry in walked if entry.path is not None]
    skipped = [SkippedPart(entry.shown, entry.reason) for entry in walked if entry.path is None]
    show = progress if progress is not None else sys.stderr.isatty()
    outcomes = _run(tasks, jobs, show)
    report = ScanReport.build(
        outcomes, skipped, time.monotonic() - started, key_source, _DETECTOR.backend.value
    )
    rendered = REPORTERS[report_format](report)
    try:
        if output is not None:
            output.write_text(rendered, encoding="utf-8")
        else:
            click.echo(rendered, nl=not rendered.endswith("\n"))
    except OSError as error:
        click.echo(f"hygie scan: cannot write the report: {error.strerror}", err=True)
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if report.findings_total else EXIT_CLEAN)
