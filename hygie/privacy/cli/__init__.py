"""``hygie scan PATH…``: find patient data in files, without a database or Django.

Walks the given paths, scans each file with the privacy engine (in a process pool with
``--jobs``), and prints a report (table, JSON, CSV, SARIF 2.1.0 or HTML: ``cli.reports``). Exit
code: 0 when nothing was found, 1 when findings were reported, 2 on a usage or fatal error. Files
that cannot be read are listed as skipped with the reason; they never stop the scan.

HMAC key: findings carry an HMAC-SHA256 of each value so repeated values can be counted. The key
is derived from ``HYGIE_SECRET_KEY`` when set (hashes then match across runs and with the
platform); otherwise a random key is drawn for the run and hashes only compare within that run.
"""

from __future__ import annotations

import multiprocessing
import os
import secrets
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import islice
from operator import attrgetter
from pathlib import Path
from typing import BinaryIO

import click

from hygie.privacy.cli.reports import (
    RENDER_LINES,
    REPORT_FORMATS,
    REPORTERS,
    STREAMED_FORMATS,
    Scanned,
    ScanReport,
    StreamedReport,
)
from hygie.privacy.engine import (
    Backend,
    EntityType,
    PHIDetector,
    PrivacyEngineError,
    ScanConfig,
    SkippedPart,
    count_categories,
)
from hygie.privacy.files import FileOutcome, WalkEntry, derive_hmac_key, walk
from hygie.privacy.pattern_cache import PatternCache

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
_ENTITY = attrgetter("entity")
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


def scan_entry(entry: WalkEntry, report_format: str) -> Scanned:
    """Scan one file and, for a streamed format, render its findings (runs in a worker)."""
    outcome = scan_file(entry)
    render = RENDER_LINES.get(report_format)
    if render is None or outcome.result is None:
        return Scanned(outcome)
    findings = outcome.result.findings
    counts = Counter({entity.value: n for entity, n in Counter(map(_ENTITY, findings)).items()})
    for entity, count in outcome.result.omitted:
        counts[entity.value] += count
    categories = count_categories(findings) + outcome.result.omitted_categories
    light = replace(outcome, result=replace(outcome.result, findings=()))
    rendered = render(outcome.shown, findings)
    return Scanned(light, rendered, tuple(counts.items()), categories, len(findings))


def _scan_chunk(chunk: tuple[list[WalkEntry], str]) -> list[Scanned]:
    entries, report_format = chunk
    return [scan_entry(entry, report_format) for entry in entries]


_CHUNK_FILES = 256  # at most, per worker round trip
_CHUNKS_PER_WORKER = 8  # at least, when the tree is small enough to have fewer of the largest


class _WalkFeed:
    """The files ``walk`` yields, read as the scan takes them.

    The first ``lookahead`` files are read before the scan starts: a tree that small is cut
    into chunks knowing its size (``total``). A larger one is walked by the pool's task feeder
    while the workers already scan (walking 20,000 files takes a third of a second of one core,
    during which the workers would otherwise wait). What the walk could not take (links,
    unreadable folders) is kept in ``skipped``, in walk order, complete once the feed is read.
    """

    def __init__(self, entries: Iterator[WalkEntry], lookahead: int | None) -> None:
        self.skipped: list[SkippedPart] = []
        self._source = self._files(entries)
        self._head = list(self._source if lookahead is None else islice(self._source, lookahead))
        self.total = len(self._head) if lookahead is None or len(self._head) < lookahead else None

    def _files(self, entries: Iterator[WalkEntry]) -> Iterator[WalkEntry]:
        for entry in entries:
            if entry.path is not None:
                yield entry
            else:
                self.skipped.append(SkippedPart(entry.shown, entry.reason))

    def __iter__(self) -> Iterator[WalkEntry]:
        yield from self._head
        yield from self._source


def _chunks(tasks: Iterable[WalkEntry], jobs: int, total: int | None) -> Iterator[list[WalkEntry]]:
    """Lists of files for one worker round trip: about 64 KiB-2 MiB of input each, never more
    than 256 files, and enough chunks for every worker to stay busy to the end (a tree of
    unknown size is larger than ``jobs`` times that many chunks of 256)."""
    per_chunk = (
        _CHUNK_FILES
        if total is None
        else max(1, min(_CHUNK_FILES, total // (jobs * _CHUNKS_PER_WORKER) or 1))
    )
    chunk: list[WalkEntry] = []
    size = 0
    for entry in tasks:
        chunk.append(entry)
        size += entry.size
        if len(chunk) >= per_chunk or size >= 2 * 1024 * 1024:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _scanned(
    tasks: Iterable[WalkEntry], jobs: int, report_format: str, total: int | None
) -> Iterator[Scanned]:
    """Every file's result, in walk order (``total``: how many, when known)."""
    few = total is not None and total <= 1
    if jobs <= 1 or few or "fork" not in multiprocessing.get_all_start_methods():
        # fork: workers inherit the compiled detector (see _DETECTOR). Hospitals run Linux
        # servers; where fork is unavailable the scan stays correct in one process.
        for entry in tasks:
            yield scan_entry(entry, report_format)
        return
    with multiprocessing.get_context("fork").Pool(processes=jobs) as pool:
        work = ((chunk, report_format) for chunk in _chunks(tasks, jobs, total))
        for results in pool.imap(_scan_chunk, work):
            yield from results


def _progress(show_progress: bool, total: int):  # type: ignore[no-untyped-def]
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("[bold]scanning"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} files"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=not show_progress,
        transient=True,
    )


def _run(tasks: list[WalkEntry], jobs: int, show_progress: bool) -> list[FileOutcome]:
    total = len(tasks)
    return [s.outcome for s in _run_streamed(tasks, jobs, show_progress, "", total, total)]


def _run_streamed(
    tasks: Iterable[WalkEntry],
    jobs: int,
    show_progress: bool,
    report_format: str,
    total: int | None,
    progress_total: int,
) -> Iterator[Scanned]:
    started = time.monotonic()
    progress = _progress(show_progress, progress_total)
    with progress:
        bar = progress.add_task("scan", total=progress_total, rate="")
        done_bytes = done = 0
        for scanned in _scanned(tasks, jobs, report_format, total):
            yield scanned
            done += 1
            done_bytes += scanned.outcome.size
            if show_progress:
                elapsed = max(time.monotonic() - started, 1e-6)
                rate = f"{done / elapsed:.0f} files/s, {done_bytes / elapsed / 1e6:.1f} MB/s"
                progress.update(bar, advance=1, rate=rate)


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
    type=click.Choice(REPORT_FORMATS),
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
@click.option(
    "--no-cache",
    "no_cache",
    is_flag=True,
    help="Compile the patterns afresh rather than from the pattern cache (and do not write it).",
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
    no_cache: bool,
) -> None:
    """Find patient data (PHI) in files and archives under PATHS, without a database."""
    global _DETECTOR
    key, key_source = derive_key(os.environ)
    cache = None if no_cache else PatternCache()
    refused = cache.load() if cache is not None else None
    if refused is not None:
        click.echo(f"hygie scan: pattern cache refused ({refused}); compiled again", err=True)
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
    if cache is not None:
        cache.save()
    started = time.monotonic()
    show = progress if progress is not None else sys.stderr.isatty()
    if report_format in STREAMED_FORMATS:
        # A progress bar needs the number of files up front: then the walk is read first.
        overlap = jobs > 1 and not show
        lookahead = jobs * _CHUNKS_PER_WORKER * _CHUNK_FILES if overlap else None
        feed = _WalkFeed(walk(paths, include, exclude), lookahead)
        _stream_report(feed, jobs, show, report_format, output, started, key_source)
    walked = list(walk(paths, include, exclude))
    tasks = [entry for entry in walked if entry.path is not None]
    skipped = [SkippedPart(entry.shown, entry.reason) for entry in walked if entry.path is None]
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


def _stream_report(
    feed: _WalkFeed,
    jobs: int,
    show: bool,
    report_format: str,
    output: Path | None,
    started: float,
    key_source: str,
) -> None:
    """Scan and write a JSON or SARIF report as it comes; exits with the scan's code."""
    assert _DETECTOR is not None
    progress_total = feed.total or 0  # unknown only when no bar is shown
    try:
        sys.stdout.flush()
        handle: BinaryIO = (
            output.open("wb", buffering=1024 * 1024) if output is not None else sys.stdout.buffer
        )
        report = StreamedReport(handle, report_format)
        for scanned in _run_streamed(feed, jobs, show, report_format, feed.total, progress_total):
            report.add(scanned)
        summary = report.summary(time.monotonic() - started, key_source, _DETECTOR.backend.value)
        report.close(feed.skipped, summary)
        if output is not None:
            handle.close()
        else:
            handle.flush()
    except OSError as error:
        click.echo(f"hygie scan: cannot write the report: {error.strerror}", err=True)
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if report.findings_total else EXIT_CLEAN)
