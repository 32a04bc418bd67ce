"""ZIP archives, read member by member under limits that defeat zip bombs.

The declared sizes in the central directory can lie, so every member is also read in bounded
chunks and abandoned as soon as it outgrows its limit or its compression ratio.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from hygie.privacy.engine.document import Child, ExtractedDocument
from hygie.privacy.engine.errors import ArchiveLimitError, ExtractionError
from hygie.privacy.engine.model import ArchiveLimits

_CHUNK = 1024 * 1024
_RATIO_FLOOR = 1024 * 1024  # tiny members compress absurdly well (runs of spaces): ignore them


def _open(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ExtractionError("corrupt or truncated ZIP archive") from error


def check_zip_limits(data: bytes, limits: ArchiveLimits) -> None:
    """Refuse an archive whose directory announces too many members, bytes or compression."""
    archive = _open(data)
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise ArchiveLimitError(f"archive has {len(infos)} members (limit {limits.max_members})")
    total = sum(info.file_size for info in infos)
    if total > limits.max_total_bytes:
        raise ArchiveLimitError(
            f"archive expands to {total} bytes (limit {limits.max_total_bytes}): possible zip bomb"
        )
    for info in infos:
        _check_member(info, limits)


def _check_member(info: zipfile.ZipInfo, limits: ArchiveLimits) -> None:
    if info.file_size > limits.max_member_bytes:
        raise ArchiveLimitError(f"member {info.filename!r} is larger than the member limit")
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > _RATIO_FLOOR and ratio > limits.max_ratio:
        raise ArchiveLimitError(
            f"member {info.filename!r} compression ratio {ratio:.0f}:1 exceeds "
            f"{limits.max_ratio:.0f}:1: possible zip bomb"
        )


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ArchiveLimits) -> bytes:
    budget = min(
        limits.max_member_bytes,
        int(max(info.compress_size, 1) * limits.max_ratio)
        if info.file_size > _RATIO_FLOOR
        else limits.max_member_bytes,
    )
    budget = max(budget, _RATIO_FLOOR)
    out = io.BytesIO()
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            out.write(chunk)
            if out.tell() > budget:
                raise ArchiveLimitError(
                    f"member {info.filename!r} expands beyond its declared size or ratio: "
                    "possible zip bomb"
                )
    return out.getvalue()


def _members(data: bytes, limits: ArchiveLimits) -> Iterator[Child]:
    archive = _open(data)
    expanded = 0
    for info in archive.infolist():
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            yield Child(info.filename, b"", problem="encrypted archive member")
            continue
        try:
            content = _read_member(archive, info, limits)
        except ArchiveLimitError:
            raise
        except Exception:  # noqa: BLE001 - zlib, bz2, lzma and zipfile errors alike: corrupt
            yield Child(info.filename, b"", problem="archive member cannot be decompressed")
            continue
        expanded += len(content)
        if expanded > limits.max_total_bytes:
            raise ArchiveLimitError(
                "archive expands beyond the total size limit: possible zip bomb"
            )
        yield Child(info.filename, content)


def extract_zip(data: bytes, limits: ArchiveLimits) -> ExtractedDocument:
    """An archive has no text of its own; its members are scanned as nested documents."""
    check_zip_limits(data, limits)
    return ExtractedDocument("zip", "", children=_members(data, limits))
