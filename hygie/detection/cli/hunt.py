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

from hygie.detection.cli.pieces import Piece, PieceResult, plan, scan_piece, usable_cores
from hygie.detection.engine import (
    CompiledRule,
    CorrelationMatch,
    DetectionEngine,
    DetectionSession,
    LogRecord,
    RuleInfo,
    RuleSource,
    detect_and_parse,
    load_rule_pack,
    prefilter,
    read_json,
)
from hygie.detection.engine.rule_pack import MAX_RULE_FILE_BYTES
from hygie.detection.evtx_isolated import read_evtx_isolated
from hygie.detection.rule_cache import CachedEngine, RuleCache, cached_engine
from hygie.lib.memory import collector_paused, freeze_if_large
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


class _FileScan:
    """One file's matches, counters and correlations, fed in file order (by one process
    reading it, or by the parent taking its pieces back from the workers)."""

    def __init__(
        self,
        engine: DetectionEngine,
        path: Path,
        kind: str,
        keep: Callable[[Hit], None] | None,
    ) -> None:
        self.session = DetectionSession(engine)
        self.rules = engine.rules
        self.path = str(path)
        self.kind = kind
        self.hits: list[Hit] = []
        self.keep = keep if keep is not None else self.hits.append
        self.events = self.errors = 0
        self.first_error: str | None = None

    def error(self, origin: object, message: str | None) -> None:
        self.errors += 1
        if self.first_error is None:
            self.first_error = f"{self.kind} {origin}: {message}"

    def matched(self, origin: object, matched: list[CompiledRule], event: Any) -> None:
        if not matched:
            return
        result = self.session.process_matched(matched, event, origin)
        keep, path, kind = self.keep, self.path, self.kind
        for rule in result.rules:
            keep(Hit(rule, path, kind, origin))
        for hit in _correlation_hits(result.correlations, path, kind):
            keep(hit)

    def finish(self) -> FileResult:
        for hit in _correlation_hits(self.session.finish(), self.path, self.kind):
            self.keep(hit)
        return FileResult(self.path, tuple(self.hits), self.events, self.errors, self.first_error)


def _kind_of(path: Path) -> str:
    if _is_evtx(path):
        return "evtx"
    return "text" if path.suffix.lower() in TEXT_LOG_SUFFIXES else "json"


def scan_file(
    engine: DetectionEngine,
    path: Path,
    emit: Callable[[Hit], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> FileResult:
    """Run the engine (and its correlations) over one log file, on this core.

    Matches go to ``emit`` as they are found; without it they are returned in the result.
    """
    kind = _kind_of(path)
    scan = _FileScan(engine, path, "record" if kind == "evtx" else "line", emit)
    _read_serially(engine, scan, path, kind, 0, 0, progress)
    return scan.finish()


def _read_serially(
    engine: DetectionEngine,
    scan: _FileScan,
    path: Path,
    kind: str,
    start: int,
    line_offset: int,
    progress: Callable[[int], None] | None,
) -> None:
    """Feed ``scan`` the events of ``path`` from byte ``start`` on (lines numbered from
    ``line_offset`` + 1). Text logs (syslog, auth.log, access logs, HL7, JSON lines) go
    through the log parsers, which route each line to the rules of its log source."""
    with path.open("rb") as handle:
        handle.seek(start)
        if kind == "text":
            for number, line in enumerate(handle, start=line_offset + 1):
                if not line.strip():
                    continue
                parsed = detect_and_parse(line)
                if parsed.parser == "unknown":
                    scan.error(number, parsed.error)
                    continue
                scan.events += 1
                matched = engine.matching_rules(parsed.event, parsed.logsource)
                scan.matched(number, matched, parsed.event)
                if progress is not None and scan.events % 2000 == 0:
                    progress(scan.events)
            return
        records: Iterable[LogRecord] = (
            read_evtx_isolated(path) if kind == "evtx" else read_json(handle)
        )
        for record in records:
            origin = record.origin + line_offset if kind == "json" else record.origin
            if record.event is None:
                scan.error(origin, record.error)
                continue
            scan.events += 1
            scan.matched(origin, engine.matching_rules(record.event), record.event)
            if progress is not None and scan.events % 2000 == 0:
                progress(scan.events)


def _correlation_hits(
    matches: Iterable[CorrelationMatch], path: Path | str, kind: str
) -> Iterator[Hit]:
    for match in matches:
        origin = match.origins[-1] if match.origins else None
        yield Hit(match.rule, str(path), kind, origin, match)


# The engine a forked worker inherited from the parent (compiling 3,000 rules per worker would
# cost more than the hunt itself); set only in the parent, just before forking.
_FORKED_ENGINE: DetectionEngine | None = None
_FORKED_WATCHED: frozenset[str] = frozenset()


def _scan_piece_in_worker(piece: Piece) -> PieceResult:
    assert _FORKED_ENGINE is not None
    return scan_piece(_FORKED_ENGINE, _FORKED_WATCHED, piece)


def _load_engine(rules_dir: Path, err: Console, use_cache: bool = True) -> CachedEngine:
    sources = list(rule_sources(rules_dir))

    def build(sources: list[RuleSource]) -> DetectionEngine:
        # Loading makes millions of small objects and next to no garbage cycles: the cyclic
        # collector walking them again and again took 1.1 s of a 2.7 s load of SigmaHQ's rules.
        with collector_paused():
            return DetectionEngine(load_rule_pack(sources))

    loaded = cached_engine(sources, build, use_cache=use_cache)
    # The engine lives as long as the hunt: out of the collector's sight, later collections
    # (the buckets' building, matching) no longer walk its millions of objects each time.
    freeze_if_large(len(loaded.engine.rules), threshold=0)
    if loaded.refused:
        err.print(f"[yellow]rule cache {loaded.path} refused: {loaded.refused}; rebuilt[/yellow]")
    engine = loaded.engine
    if engine.problems:
        err.print(
            f"[yellow]{len(engine.problems)} invalid rule(s) skipped; "
            f"run `hygie rules check {rules_dir}` for the reasons[/yellow]"
        )
    return loaded


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
    help="Processes sharing the work, one large file included (same matches, same order).",
)
@click.option(
    "--no-cache",
    "no_cache",
    is_flag=True,
    help="Compile the rules afresh rather than from the rule cache (and do not write it).",
)
def hunt(
    rules_dir: Path, logs: tuple[Path, ...], output_format: str, jobs: int, no_cache: bool
) -> None:
    """Run Sigma rules over log files and print every match (no database needed)."""
    out = Console(soft_wrap=True)
    err = Console(stderr=True, soft_wrap=True, highlight=False)
    try:
        loaded = _load_engine(rules_dir, err, use_cache=not no_cache)
        engine = loaded.engine
        if not engine.valid_count:
            err.print(f"[red]error:[/red] no valid Sigma rule in {rules_dir}")
            sys.exit(EXIT_ERROR)
        files = log_files(logs)
        sink = HitSink(output_format, out)
        if jobs > 1:
            for route in loaded.routes:  # built once here rather than once per worker
                engine.prepare(route)
        results, routes = _run(engine, files, jobs, sink, err)
    except OSError as error:
        err.print(f"[red]error:[/red] {error.strerror or error}: {error.filename or ''}")
        sys.exit(EXIT_ERROR)
    if not no_cache:
        _save_cache(loaded, routes, err)
    sink.finish(results, err)
    unreadable = [r for r in results if r.events == 0 and r.errors]
    if unreadable and len(unreadable) == len(results):
        err.print(
            f"[red]error:[/red] no readable event in {unreadable[0].path}: "
            f"{unreadable[0].first_error}"
        )
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_MATCH if sink.count else EXIT_NO_MATCH)


def _save_cache(loaded: CachedEngine, routes: list[Any], err: Console) -> None:
    """Write the compiled pack, with the buckets this hunt built, when the cache lacks them."""
    if loaded.hit and set(routes) <= set(loaded.routes):
        return
    try:
        RuleCache().save(loaded.path.stem, loaded.engine, routes)
    except OSError as error:
        # A read-only home or a full disk costs the next hunt time, not this one its result.
        err.print(f"[yellow]rule cache not written: {error.strerror or error}[/yellow]")


def _run(
    engine: DetectionEngine, files: list[Path], jobs: int, sink: HitSink, err: Console
) -> tuple[list[FileResult], list[Any]]:
    """Scan ``files`` in order; also return the log sources whose buckets were built."""
    sizes = {path: max(path.stat().st_size, 1) for path in files}
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[events]} events"),
        TimeRemainingColumn(),
    )
    results: list[FileResult] = []
    routes: list[Any] = []
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("hunting", total=sum(sizes.values()), events=0)
        if jobs == 1:
            done_events = 0
            for path in files:
                progress.update(task, description=path.name)

                def report(count: int, base: int = done_events) -> None:
                    progress.update(task, events=base + count)

                result = scan_file(engine, path, sink, report)
                done_events += result.events
                results.append(result)
                progress.update(task, advance=sizes[path], events=done_events)
        else:

            def advance(size: int, events: int) -> None:
                progress.update(task, advance=size, events=events)

            results = _run_pieces(engine, files, jobs, sink, advance, routes)
    routes.extend(route for route in engine.prepared_routes() if route not in routes)
    for result in results:
        if result.errors:
            err.print(
                f"[yellow]{result.path}: {result.errors} unreadable record(s), "
                f"first at {result.first_error}[/yellow]"
            )
    return results, routes


def _run_pieces(
    engine: DetectionEngine,
    files: list[Path],
    jobs: int,
    sink: HitSink,
    advance: Callable[[int, int], None],
    routes: list[Any],
) -> list[FileResult]:
    """Every file cut into pieces for the workers; pieces taken back in order (see pieces.py)."""
    global _FORKED_ENGINE, _FORKED_WATCHED
    kinds = {path: _kind_of(path) for path in files}
    pieces = [piece for path in files for piece in plan(path, kinds[path], jobs)]
    watched = DetectionSession(engine).watched
    results: list[FileResult] = []
    rules = engine.rules
    done_events = 0
    _FORKED_ENGINE, _FORKED_WATCHED = engine, watched
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(min(usable_cores(jobs), len(pieces))) as pool:
            scan: _FileScan | None = None
            line_offset = 0
            serial = False  # the rest of the current file was read on this core
            for piece_result in pool.imap(_scan_piece_in_worker, pieces):
                piece = piece_result.piece
                path = Path(piece.path)
                if scan is None:
                    kind = "record" if piece.kind == "evtx" else "line"
                    scan, line_offset, serial = _FileScan(engine, path, kind, sink), 0, False
                prefilter.COMPILED_DATABASES.update(piece_result.databases)
                routes.extend(r for r in piece_result.routes if r not in routes)
                if not serial:
                    before = scan.events
                    _take(scan, piece_result, rules, line_offset)
                    if not piece_result.whole:
                        serial = True
                        offset = line_offset + piece_result.lines - 1
                        start = piece.start + _bytes_of_lines(path, piece, piece_result.lines - 1)
                        _read_serially(engine, scan, path, piece.kind, start, offset, None)
                    done_events += scan.events - before
                    line_offset += piece_result.lines
                advance(max(0, piece.end - piece.start), done_events)
                if piece.last:
                    results.append(scan.finish())
                    scan = None
    finally:
        _FORKED_ENGINE, _FORKED_WATCHED = None, frozenset()
    return results


def _take(scan: _FileScan, result: PieceResult, rules: Any, line_offset: int) -> None:
    """A worker's findings into the file's scan, in order (as if read on this core)."""
    absolute = result.piece.kind != "evtx"
    for origin, indexes, event in result.found:
        scan.matched(
            origin + line_offset if absolute else origin, [rules[i] for i in indexes], event
        )
    scan.events += result.events
    if result.errors:
        scan.errors += result.errors - 1
        origin, message = result.first_error or (0, "")
        scan.error(origin + line_offset if absolute else origin, message)


def _bytes_of_lines(path: Path, piece: Piece, count: int) -> int:
    """How many bytes the first ``count`` lines of ``piece`` take."""
    with path.open("rb") as handle:
        handle.seek(piece.start)
        return sum(len(handle.readline()) for _ in range(count))


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
