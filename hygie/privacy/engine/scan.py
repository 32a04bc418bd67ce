"""Scan one input's bytes: extract, detect, and recurse into archive members and attachments."""

from __future__ import annotations

from hygie.privacy.engine.detector import PHIDetector
from hygie.privacy.engine.errors import ArchiveLimitError, ExtractionError
from hygie.privacy.engine.extract import extract
from hygie.privacy.engine.model import ColumnVerdict, DocumentResult, Finding, SkippedPart


class _Collector:
    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.columns: list[ColumnVerdict] = []
        self.skipped: list[SkippedPart] = []
        self.members = 0  # archive members and attachments scanned


def _nested(parent: str, child: str) -> str:
    return f"{parent}!/{child}" if parent else child


def _scan_into(
    detector: PHIDetector, data: bytes, name: str, member: str, depth: int, out: _Collector
) -> str:
    config = detector.config
    if len(data) > config.max_document_bytes:
        raise ExtractionError(f"larger than the {config.max_document_bytes}-byte document limit")
    doc = extract(data, name, config.archive_limits)
    findings = detector.detect(doc, member)
    out.findings.extend(findings)
    out.columns.extend(detector.column_verdicts(doc, findings, member))
    children = iter(doc.children)
    try:
        while True:
            try:
                child = next(children)
            except StopIteration:
                break
            except ExtractionError:
                raise
            except Exception as error:  # noqa: BLE001 - a hostile archive: stop reading it
                raise ExtractionError(
                    f"archive cannot be read further ({type(error).__name__})"
                ) from None
            child_member = _nested(member, child.name)
            if child.problem is not None:
                out.skipped.append(SkippedPart(child_member, child.problem))
            elif depth + 1 > config.archive_limits.max_depth:
                out.skipped.append(
                    SkippedPart(
                        child_member, f"nested deeper than {config.archive_limits.max_depth} levels"
                    )
                )
            else:
                try:
                    _scan_into(detector, child.data, child.name, child_member, depth + 1, out)
                except ArchiveLimitError:
                    raise
                except ExtractionError as error:
                    out.skipped.append(SkippedPart(child_member, error.message))
                else:
                    out.members += 1
    except ExtractionError as error:
        # The rest of this archive is abandoned (a zip-bomb limit, or a member the archive
        # reader chokes on); what was already found is kept.
        out.skipped.append(SkippedPart(member or name, error.message))
    return doc.format


def scan_bytes(detector: PHIDetector, data: bytes, name: str = "") -> DocumentResult:
    """Scan ``data`` (named ``name`` for format sniffing). Raises ExtractionError when the input
    itself is unreadable; problems in nested members are reported in ``skipped``."""
    out = _Collector()
    kind = _scan_into(detector, data, name, "", 0, out)
    return DocumentResult(
        kind,
        tuple(out.findings),
        tuple(out.columns),
        tuple(out.skipped),
        len(data),
        members_scanned=out.members,
    )
