"""Walking and scanning files for PHI: the one place shared by ``hygie scan`` and the platform.

Django-free on purpose: the CLI runs without a database. The engine (``privacy/engine``) stays
pure; this module is its I/O edge:

- ``walk``: regular files under the given roots, in a stable order, with include/exclude globs.
  Symbolic links found while walking are never followed (a link inside the root is scanned at its
  target's own place; a link leading outside would let a shared folder pull in any file the
  server can read); paths named explicitly are taken as given. Anything unreadable is yielded as
  a skipped entry with its reason.
- ``scan_file``: one file, never raising. Text, CSV and HL7 files larger than one block are read
  and scanned block by block (``engine.stream``), so memory does not grow with the file; other
  formats must be parsed whole and are refused above ``max_document_bytes``. Whatever goes wrong
  becomes a "skipped: reason" that never quotes the file's content.
- ``derive_hmac_key``: the finding-hash key, derived the same way by the CLI and the platform.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from hygie.privacy.engine import (
    DocumentResult,
    ExtractionError,
    Finding,
    PHIDetector,
    scan_bytes,
    sniff_format,
)
from hygie.privacy.engine.stream import STREAMABLE_FORMATS, StreamScanner, bound_findings

# Same context for the CLI (HYGIE_SECRET_KEY) and the platform (SECRET_KEY): with the same secret
# the hashes match, so a value can be followed from one to the other.
KEY_CONTEXT = b"hygie:privacy:phi-scan:v1:"
READ_BYTES = 256 * 1024  # one read() of a streamed file: at most about one block's findings
SNIFF_BYTES = 64 * 1024  # enough for every magic number and the e-mail header check
# Findings kept per file in a report; beyond, only their count by entity type is kept.
MAX_FINDINGS_KEPT = 10_000


def derive_hmac_key(secret: str) -> bytes:
    """The 32-byte HMAC key for finding hashes (never stored, never logged)."""
    return hashlib.sha256(KEY_CONTEXT + secret.encode()).digest()


# --- walking -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WalkEntry:
    """A file to scan (``path`` set) or a skipped one (``reason`` set).

    ``shown`` is how reports name it: the path as given or walked (CLI) — ``relative`` is the
    path under its root, which the platform stores.
    """

    shown: str
    relative: str
    path: Path | None = None
    size: int = 0
    reason: str = ""


def _matches(relative: str, patterns: tuple[str, ...]) -> bool:
    name = relative.rsplit("/", 1)[-1]
    return any(fnmatch(relative, p) or fnmatch(name, p) for p in patterns)


def _link_reason(root: Path, path: Path) -> str:
    try:
        inside = path.resolve(strict=True).is_relative_to(root)
    except (OSError, RuntimeError):
        return "broken symbolic link"
    if inside:
        return "symbolic link not followed (its target inside the root is scanned in place)"
    return "symbolic link pointing outside the scan root: not followed"


def walk(
    paths: Iterable[Path],
    include: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
) -> Iterator[WalkEntry]:
    """Regular files under ``paths`` (directories walked, files taken as named), once each."""
    seen: set[str] = set()
    for given in paths:
        if given.is_dir():
            yield from _walk_dir(given, include, exclude, seen)
        else:
            yield from _explicit_file(given, seen)


def _explicit_file(given: Path, seen: set[str]) -> Iterator[WalkEntry]:
    shown = str(given)
    try:
        real = given.resolve(strict=True)
        info = real.stat()
    except (OSError, RuntimeError) as error:
        reason = (
            f"cannot access: {error.strerror or 'broken link'}"
            if isinstance(error, OSError)
            else "symbolic link loop"
        )
        yield WalkEntry(shown, given.name, reason=reason)
        return
    if not stat.S_ISREG(info.st_mode):
        yield WalkEntry(shown, given.name, reason="not a regular file")
    elif str(real) not in seen:
        seen.add(str(real))
        yield WalkEntry(shown, given.name, given, info.st_size)


def _walk_dir(
    given: Path, include: tuple[str, ...], exclude: tuple[str, ...], seen: set[str]
) -> Iterator[WalkEntry]:
    root = given.resolve()
    unreadable: list[OSError] = []

    def listing_errors() -> Iterator[WalkEntry]:
        while unreadable:
            error = unreadable.pop()
            relative = _relative(given, error.filename)
            yield WalkEntry(
                str(error.filename),
                relative,
                reason=f"cannot list: {error.strerror or type(error).__name__}",
            )

    walker = os.walk(given, followlinks=False, onerror=unreadable.append)
    for directory, dirnames, filenames in walker:
        yield from listing_errors()
        base = Path(directory)
        relative_dir = base.relative_to(given).as_posix()
        kept = []
        for name in sorted(dirnames):
            relative = f"{relative_dir}/{name}".removeprefix("./")
            if _matches(relative, exclude):
                continue
            if (base / name).is_symlink():
                yield WalkEntry(str(base / name), relative, reason=_link_reason(root, base / name))
                continue
            kept.append(name)
        dirnames[:] = kept
        # The walk never follows a link to a folder, so a file that is not a link itself has
        # its folder's real path plus its name: one realpath per folder, not per file.
        # Paths as strings until a file is kept (a Path per file costs more than its lstat).
        real_dir = _dir_prefix(str(base.resolve()))
        shown_dir = _dir_prefix(str(base))
        for name in sorted(filenames):
            relative = f"{relative_dir}/{name}".removeprefix("./")
            if (include and not _matches(relative, include)) or _matches(relative, exclude):
                continue
            yield from _walked_file(shown_dir + name, real_dir + name, root, relative, seen)
    yield from listing_errors()  # a directory that failed last


def _dir_prefix(directory: str) -> str:
    """What ``str(Path(directory) / name)`` puts before ``name``."""
    if directory == ".":
        return ""
    return directory if directory.endswith("/") else directory + "/"


def _walked_file(
    shown: str, real: str, root: Path, relative: str, seen: set[str]
) -> Iterator[WalkEntry]:
    try:
        info = os.lstat(shown)
        if stat.S_ISLNK(info.st_mode):
            yield WalkEntry(shown, relative, reason=_link_reason(root, Path(shown)))
            return
    except OSError as error:
        yield WalkEntry(shown, relative, reason=f"cannot access: {error.strerror or 'error'}")
        return
    if not stat.S_ISREG(info.st_mode):
        yield WalkEntry(shown, relative, reason="not a regular file")
        return
    if real not in seen:
        seen.add(real)
        yield WalkEntry(shown, relative, Path(shown), info.st_size)


def _relative(root: Path, raw: object) -> str:
    try:
        return Path(str(raw)).relative_to(root).as_posix()
    except ValueError:
        return "."


def count_files(paths: Iterable[Path]) -> int:
    """How many files ``walk`` will look at (for progress bars; links and errors included)."""
    total = 0
    for given in paths:
        if not given.is_dir():
            total += 1
            continue
        total += sum(len(names) for _d, _n, names in os.walk(given, followlinks=False))
    return total


# --- scanning one file ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FileOutcome:
    """What scanning one file gave: a result, or why it was skipped (``reason``)."""

    shown: str
    size: int
    result: DocumentResult | None = None  # its ``skipped`` lists archive members not scanned
    reason: str = ""


FindingSink = Callable[[Finding], None]


def scan_file(
    detector: PHIDetector,
    path: Path,
    *,
    shown: str = "",
    name: str = "",
    size: int | None = None,
    sink: FindingSink | None = None,
    max_kept: int = MAX_FINDINGS_KEPT,
) -> FileOutcome:
    """Scan one file; never raises for anything the file holds or lacks.

    ``name`` (default: the file's own name) guides format sniffing, e.g. an upload's original
    name. ``sink`` receives every finding, the ones beyond ``max_kept`` included, as it is
    found: the platform aggregates them without keeping them. The result keeps at most
    ``max_kept`` findings and counts the others by entity type.
    """
    shown = shown or str(path)
    name = name or path.name
    try:
        known_size = path.stat().st_size if size is None else size
        return _scan(detector, path, shown, name, known_size, sink, max_kept)
    except OSError as error:
        reason = f"cannot read: {error.strerror or type(error).__name__}"
    except ExtractionError as error:
        reason = error.message
    except MemoryError:
        reason = "not enough memory to scan this file (hostile or unusually complex content)"
    except RecursionError:
        reason = "structure nested too deeply"
    except Exception as error:  # noqa: BLE001 - one hostile file must never stop a scan
        reason = f"unreadable file ({type(error).__name__})"
    return FileOutcome(shown, size or 0, reason=reason[:300])


def _scan(
    detector: PHIDetector,
    path: Path,
    shown: str,
    name: str,
    size: int,
    sink: FindingSink | None,
    max_kept: int,
) -> FileOutcome:
    limit = detector.config.max_document_bytes
    with path.open("rb") as handle:
        # read(n) allocates n bytes up front: ask for what the file holds (plus one byte, to
        # see a file that grew since its size was taken), not for the limits.
        head = handle.read(min(SNIFF_BYTES, size + 1))
        if size < len(head) < SNIFF_BYTES:  # grew since: sniff on a full head all the same
            head += handle.read(SNIFF_BYTES - len(head))
        kind = sniff_format(head, name)
        if kind in STREAMABLE_FORMATS and size > min(detector.config.stream_block_chars, limit):
            scanner = StreamScanner(detector, kind, name)
            findings = scanner.feed(head)
            kept = bound_findings(max_kept)
            kept.add(findings, sink)
            while chunk := handle.read(READ_BYTES):
                kept.add(scanner.feed(chunk), sink)
            kept.add(scanner.close(), sink)
            result = scanner.result(kept)
            return FileOutcome(shown, result.bytes_scanned, result)
        if size > limit:
            raise ExtractionError(
                f"{kind} file larger than {_size(limit)}: files of this format are parsed whole "
                "and are not scanned above this size"
            )
        data = head + handle.read(max(0, min(size, limit) + 1 - len(head)))
        if len(data) > size:  # grew since its size was taken: read on, up to the limit
            data += handle.read(max(0, limit + 1 - len(data)))
    if len(data) > limit:  # grew while being read
        raise ExtractionError(f"larger than {_size(limit)}")
    result = scan_bytes(detector, data, name)
    del data
    if sink is not None:
        for finding in result.findings:
            sink(finding)
    kept = bound_findings(max_kept)
    kept.add(result.findings, None)
    return FileOutcome(shown, result.bytes_scanned, kept.apply(result))


def _size(count: int) -> str:
    return f"{count // (1024 * 1024)} MiB" if count >= 1024 * 1024 else f"{count} bytes"
