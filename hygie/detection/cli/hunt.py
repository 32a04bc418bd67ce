"""``hygie hunt`` and ``hygie rules check``: Sigma over log files, without a database or Django.

Exit codes: 0 no match, 1 matches (or, for ``rules check``, invalid rules), 2 error.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from hygie.detection.engine import (
    CorrelationMatch,
    DetectionEngine,
    DetectionSession,
    LogRecord,
    RuleInfo,
    RuleSource,
    detect_and_parse,
    load_rule_pack,
    read_evtx,
    read_json,
)
from hygie.detection.engine.rule_pack import MAX_RULE_FILE_BYTES
from hygie.lib.spreadsheet import csv_writer

RULE_SUFFIXES = (".yml", ".yaml")
LOG_SUFFIXES = (".evtx", ".json", ".jsonl", ".ndjson", ".log")
# Read line by line through the log parsers (which also give each line its Sigma log source).
TEXT_LOG_SUFFIXES = (".log",)
EVTX_MAGIC = b"ElfFile\x00"
# A table is for reading; past this many rows, say so and point to jsonl/csv.
MAX_TABLE_ROWS = 2000

EXIT_NO_MATCH, EXIT_MATCH, EXIT_ERROR = 0, 1, 2


@dataclass(frozen=True)
class Hit:
    """One line of output: a rule or correlation match and where its event came from."""

    rule: RuleInfo
    file: str
    origin_kind: str
    origin: object
    correlation: CorrelationMatch | None = None

    def as_dict(self) -> dict[str, Any]:
        level = self.rule.level.label if self.rule.level is not None else None
        row: dict[str, Any] = {
            "rule_id": self.rule.id,
            "title": self.rule.title,
            "level": level,
            "file": self.file,
            self.origin_kind: self.origin,
        }
        if self.correlation is not None:
            c = self.correlation
            row["correlation"] = {
                "group": {name: value for name, value in c.group},
                "first_at": c.first_at.isoformat(),
                "last_at": c.last_at.isoformat(),
                "value": c.value,
                self.origin_kind + "s": list(c.origins),
            }
        return row


@dataclass(frozen=True)
class FileResult:
    path: str
    hits: tuple[Hit, ...]
    events: int
    errors: int
    first_error: str | None


def files_under(root: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """The files under ``root`` with one of ``suffixes``, sorted.

    Symbolic links to folders are followed (a rules folder is often a link to a SigmaHQ
    checkout; ``rglob`` does not follow them), each real folder at most once so that a link
    loop ends.
    """
    found: list[Path] = []
    seen: set[str] = set()
    for folder, subfolders, names in os.walk(root, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:
            subfolders.clear()
            continue
        seen.add(real)
        found.extend(
            Path(folder, name)
            for name in names
            if Path(name).suffix.lower() in suffixes and Path(folder, name).is_file()
        )
    return sorted(found)


def rule_sources(directory: Path) -> Iterator[RuleSource]:
    """Every rule file under ``directory``, read with a size cap (the pack reports oversize)."""
    for path in files_under(directory, RULE_SUFFIXES):
        with path.open("rb") as handle:
            yield RuleSource(str(path), handle.read(MAX_RULE_FILE_BYTES + 1))


def log_files(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(files_under(path, LOG_SUFFIXES))
        else:
            files.append(path)
    return files


def _is_evtx(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(EVTX_MAGIC)) == EVTX_MAGIC


class HitSink:
    """Writes matches as they come (jsonl, csv) and keeps only counters for the summary."""

    def __init__(self, output_format: str, out: Console) -> None:
        self.output_format = output_format
        self.out = out
        self.count = 0
        self.by_level: Counter[str] = Counter()
        self.by_rule: Counter[tuple[str, str]] = Counter()
        self.table_rows: list[Hit] = []
        # Log lines are attacker-controlled: cells that start like a formula are neutralised.
        self.writer = csv_writer(sys.stdout) if output_format == "csv" else None
        if self.writer is not None:
            self.writer.writerow(["rule_id", "title", "level", "file", "origin_kind", "origin"])

    def __call__(self, hit: Hit) -> None:
        self.count += 1
        level = hit.rule.level.label if hit.rule.level is not None else ""
        self.by_level[level or "none"] += 1
        self.by_rule[(hit.rule.title, hit.rule.id)] += 1
        if self.output_format == "jsonl":
            sys.stdout.write(json.dumps(hit.as_dict(), ensure_ascii=False, default=str) + "\n")
        elif self.writer is not None:
            self.writer.writerow(
                [hit.rule.id, hit.rule.title, level, hit.file, hit.origin_kind, hit.origin]
            )
        elif len(self.table_rows) < MAX_TABLE_ROWS:
            self.table_rows.append(hit)

    def finish(self, results: list[FileResult], err: Console) -> None:
        summary = self.out
        if self.output_format == "table":
            self._print_table()
        else:
            summary = err
        events = sum(result.events for result in results)
        summary.print(f"{events} events in {len(results)} file(s), {self.count} match(es)")
        if self.by_level:
            levels = ", ".join(f"{k} {v}" for k, v in self.by_level.most_common())
            summary.print(f"by level: {levels}")
        for (title, rule_id), count in self.by_rule.most_common(20):
            summary.print(f"  {count:>7}  {title} ({rule_id})", markup=False)
        if len(self.by_rule) > 20:
            summary.print(f"  … and {len(self.by_rule) - 20} more rules")

    def _print_table(self) -> None:
        table = Table(title=f"{self.count} match(es)")
        for column in ("level", "title", "rule id", "file", "record/line"):
            table.add_column(column)
        for hit in self.table_rows:
            level = hit.rule.level.label if hit.rule.level is not None else ""
            table.add_row(level, hit.rule.title, hit.rule.id, hit.file, str(hit.origin))
        self.out.print(table)
        if self.count > MAX_TABLE_ROWS:
            hidden = self.count - MAX_TABLE_ROWS
            self.out.print(f"… {hidden} more; use --format jsonl or csv for all")


def scan_file(
    engine: DetectionEngine,
    path: Path,
    emit: Callable[[Hit], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> FileResult:
    """Run the engine (and its correlations) over one log file.

    Matches go to ``emit`` as they are found; without it they are returned in the result
    (forked workers send them back to the parent that way).
    """
    session = DetectionSession(engine)
    hits: list[Hit] = []
    keep = emit if emit is not None else hits.append
    events = errors = 0
    first_error: str | None = None
    evtx = _is_evtx(path)
    kind = "record" if evtx else "line"
    if not evtx and path.suffix.lower() in TEXT_LOG_SUFFIXES:
        return _scan_text_file(session, path, keep, progress, hits)
    with path.open("rb") as handle:
        records: Iterable[LogRecord] = read_evtx(handle) if evtx else read_json(handle)
        for record in records:
            if record.event is None:
                errors += 1
                first_error = first_error or f"{kind} {record.origin}: {record.error}"
                continue
            events += 1
            result = session.process(record.event, record.origin)
            for rule in result.rules:
                keep(Hit(rule, str(path), kind, record.origin))
            for hit in _correlation_hits(result.correlations, path, kind):
                keep(hit)
            if progress is not None and events % 2000 == 0:
                progress(events)
        for hit in _correlation_hits(session.finish(), path, kind):
            keep(hit)
    return FileResult(str(path), tuple(hits), events, errors, first_error)


def _scan_text_file(
    session: DetectionSession,
    path: Path,
    keep: Callable[[Hit], None],
    progress: Callable[[int], None] | None,
    hits: list[Hit],
) -> FileResult:
    """Plain text logs (syslog, auth.log, access logs, HL7, JSON lines): one line, one event,
    routed to the rules of the log source the parser recognised."""
    events = errors = 0
    first_error: str | None = None
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            parsed = detect_and_parse(line)
            if parsed.parser == "unknown":
                errors += 1
                first_error = first_error or f"line {number}: {parsed.error}"
                continue
            events += 1
            result = session.process(parsed.event, number, parsed.logsource)
            for rule in result.rules:
                keep(Hit(rule, str(path), "line", number))
            for hit in _correlation_hits(result.correlations, path, "line"):
                keep(hit)
            if progress is not None and events % 2000 == 0:
                progress(events)
    for hit in _correlation_hits(session.finish(), path, "line"):
        keep(hit)
    return FileResult(str(path), tuple(hits), events, errors, first_error)


def _correlation_hits(matches: Iterable[CorrelationMatch], path: Path, kind: str) -> Iterator[Hit]:
    for match in matches:
        origin = match.origins[-1] if match.origins else None
        yield Hit(match.rule, str(path), kind, origin, match)


# The engine a forked worker inherited from the parent (compiling 3,000 rules per worker would
# cost more than the hunt itself); set only in the parent, just before forking.
_FORKED_ENGINE: DetectionEngine | None = None


def _scan_in_worker(path: str) -> FileResult:
    assert _FORKED_ENGINE is not None
    return scan_file(_FORKED_ENGINE, Path(path))


def _load_engine(rules_dir: Path, err: Console) -> DetectionEngine:
    pack = load_rule_pack(rule_sources(rules_dir))
    engine = DetectionEngine(pack)
    if engine.problems:
        err.print(
            f"[yellow]{len(engine.problems)} invalid rule(s) skipped; "
            f"run `hygie rules check {rules_dir}` for the reasons[/yellow]"
        )
    return engine


@click.command(short_help="Run Sigma rules over log files (no database).")
@click.option(
    "--rules",
    "rules_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of Sigma rules (searched recursively).",
)
@click.option(
    "--logs",
    "logs",
    required=True,
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="EVTX or JSON/JSON lines file, or a folder of them; repeat for more.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "jsonl"]),
    default="table",
    show_default=True,
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1, max=256),
    default=1,
    show_default=True,
    help="Files scanned in parallel (correlations then hold within each file).",
)
def hunt(rules_dir: Path, logs: tuple[Path, ...], output_format: str, jobs: int) -> None:
    """Run Sigma rules over log files and print every match (no database needed)."""
    out = Console(soft_wrap=True)
    err = Console(stderr=True, soft_wrap=True, highlight=False)
    try:
        engine = _load_engine(rules_dir, err)
        if not engine.valid_count:
            err.print(f"[red]error:[/red] no valid Sigma rule in {rules_dir}")
            sys.exit(EXIT_ERROR)
        files = log_files(logs)
        sink = HitSink(output_format, out)
        results = _run(engine, files, jobs, sink, err)
    except OSError as error:
        err.print(f"[red]error:[/red] {error.strerror or error}: {error.filename or ''}")
        sys.exit(EXIT_ERROR)
    sink.finish(results, err)
    unreadable = [r for r in results if r.events == 0 and r.errors]
    if unreadable and len(unreadable) == len(results):
        err.print(
            f"[red]error:[/red] no readable event in {unreadable[0].path}: "
            f"{unreadable[0].first_error}"
        )
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_MATCH if sink.count else EXIT_NO_MATCH)


def _run(
    engine: DetectionEngine, files: list[Path], jobs: int, sink: HitSink, err: Console
) -> list[FileResult]:
    sizes = {path: max(path.stat().st_size, 1) for path in files}
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[events]} events"),
        TimeRemainingColumn(),
    )
    results: list[FileResult] = []
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("hunting", total=sum(sizes.values()), events=0)
        done_events = 0
        if jobs == 1 or len(files) == 1:
            for path in files:
                progress.update(task, description=path.name)

                def report(count: int, base: int = done_events) -> None:
                    progress.update(task, events=base + count)

                result = scan_file(engine, path, sink, report)
                done_events += result.events
                results.append(result)
                progress.update(task, advance=sizes[path], events=done_events)
        else:
            global _FORKED_ENGINE
            _FORKED_ENGINE = engine
            context = multiprocessing.get_context("fork")
            with context.Pool(min(jobs, len(files), os.cpu_count() or 1)) as pool:
                for result in pool.imap(_scan_in_worker, [str(p) for p in files]):
                    for hit in result.hits:
                        sink(hit)
                    done_events += result.events
                    results.append(result)
                    progress.update(task, advance=sizes[Path(result.path)], events=done_events)
            _FORKED_ENGINE = None
    for result in results:
        if result.errors:
            err.print(
                f"[yellow]{result.path}: {result.errors} unreadable record(s), "
                f"first at {result.first_error}[/yellow]"
            )
    return results


@click.group()
def rules() -> None:
    """Inspect Sigma rule packs."""


@rules.command("check")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
def check(directory: Path) -> None:
    """Load every rule under DIRECTORY; print counts and each invalid rule's file:line: reason."""
    out = Console(soft_wrap=True, highlight=False)
    try:
        pack = load_rule_pack(rule_sources(directory))
    except OSError as error:
        Console(stderr=True).print(f"[red]error:[/red] {error}")
        sys.exit(EXIT_ERROR)
    engine = DetectionEngine(pack)
    out.print(
        f"{pack.files} file(s): {len(engine.rules)} detection rule(s), "
        f"{len(pack.correlations)} correlation rule(s) valid, {len(engine.problems)} invalid"
    )
    for problem in engine.problems:
        out.print(f"{problem.location}: {problem.reason}", markup=False)
    for note in engine.notes:
        out.print(f"note: {note.location}: {note.reason}", markup=False)
    sys.exit(EXIT_MATCH if engine.problems else EXIT_NO_MATCH)
