"""Value types of the PHI discovery engine: entity types, configuration, findings, results."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from hygie.privacy.engine.errors import ConfigError


class EntityType(StrEnum):
    """Kinds of personal or health data the engine reports; docs/privacy-entities.md has each."""

    FR_NIR = "FR_NIR"
    FR_INS = "FR_INS"
    FR_RPPS = "FR_RPPS"
    FR_ADELI = "FR_ADELI"
    FR_FINESS = "FR_FINESS"
    FR_PHONE = "FR_PHONE"
    US_SSN = "US_SSN"
    US_NPI = "US_NPI"
    US_DEA = "US_DEA"
    US_MBI = "US_MBI"
    US_PHONE = "US_PHONE"
    MRN = "MRN"
    IBAN = "IBAN"
    CREDIT_CARD = "CREDIT_CARD"
    PERSON = "PERSON"
    DATE_OF_BIRTH = "DATE_OF_BIRTH"
    DATE = "DATE"
    ADDRESS = "ADDRESS"
    POSTAL_CODE = "POSTAL_CODE"
    EMAIL = "EMAIL"
    IP_ADDRESS = "IP_ADDRESS"
    URL = "URL"


class Backend(StrEnum):
    """Which multi-pattern matcher runs the fast path."""

    AUTO = "auto"
    HYPERSCAN = "hyperscan"
    RE = "re"


@dataclass(frozen=True)
class ArchiveLimits:
    """Bounds applied to ZIP archives (and to DOCX/XLSX, which are ZIP files) before reading."""

    max_depth: int = 3
    max_members: int = 10_000
    max_member_bytes: int = 256 * 1024 * 1024
    max_total_bytes: int = 1024 * 1024 * 1024
    # Deflate tops out near 1:1032; honest office files and exports stay well under 1:100.
    max_ratio: float = 100.0


@dataclass(frozen=True)
class ScanConfig:
    """Everything a scan needs; frozen so one detector can be shared safely."""

    hmac_key: bytes
    min_confidence: float = 0.0
    entities: frozenset[EntityType] = frozenset()  # empty means every entity type
    backend: Backend = Backend.AUTO
    ner_model: str | None = None
    archive_limits: ArchiveLimits = field(default_factory=ArchiveLimits)
    # Formats parsed whole (PDF, DOCX, XLSX, JSON, XML, DICOM, e-mail, ZIP) hold the input and
    # its parse in memory, several times the file's size: above this they are skipped.
    max_document_bytes: int = 64 * 1024 * 1024
    context_window: int = 48
    # Text, CSV and HL7 inputs larger than one block are scanned block by block (engine.stream):
    # memory depends on the block, not on the file. The overlap re-reads the end of the previous
    # block and the start of the next one, so values, context words and INS markers across a
    # border are seen as in a whole-file scan (it is widened to cover the context reach).
    stream_block_chars: int = 1024 * 1024
    stream_overlap_chars: int = 4096
    # The field maps (engine/fields/*.yml) say which HL7, FHIR, C-CDA, DICOM and table fields hold
    # PHI: a value there is a finding whatever its form. False keeps the paths but drops what the
    # fields say (value-only detection: patterns, validators and context words), for comparison.
    field_semantics: bool = True

    def __post_init__(self) -> None:
        try:  # accept "re" as well as Backend.RE from callers that parse options
            object.__setattr__(self, "backend", Backend(self.backend))
        except ValueError as error:
            raise ConfigError(f"unknown matcher backend {self.backend!r}") from error
        if len(self.hmac_key) < 16:
            raise ConfigError("the HMAC key must be at least 16 bytes")
        if not 0.0 <= self.min_confidence <= 1.0:
            raise ConfigError("min_confidence must be between 0 and 1")
        if self.context_window < 0:
            raise ConfigError("context_window must not be negative")
        if self.stream_block_chars < 1024 or self.stream_overlap_chars < 0:
            raise ConfigError("stream_block_chars must be at least 1024, the overlap positive")

    def wants(self, entity: EntityType) -> bool:
        return not self.entities or entity in self.entities


@dataclass(frozen=True)
class FindingLocation:
    """Where a finding sits.

    ``member`` is the path inside containers ("" for the file itself, "a.zip!/b/c.csv" inside an
    archive); ``path`` is the structural address (HL7 ``PID-5.1``, JSON pointer, DICOM tag,
    ``Sheet1!B3``, ``page 2``). ``line``/``column``/``end_column`` are 1-based, in Unicode code
    points, in the stored member text; they are None when the text was rebuilt (PDF, DOCX, ...).
    ``end_column`` is exclusive, as in SARIF.
    """

    member: str
    path: str
    line: int | None = None
    column: int | None = None
    end_column: int | None = None


@dataclass(frozen=True)
class Finding:
    """One detected value. Never holds the value itself: a masked sample and a keyed hash.

    ``hipaa_identifier`` (a Safe Harbor letter A-R, or "none") and ``fr_category`` come from the
    field map entry that produced the finding, else from its entity type's default
    (engine/fields/categories.yml).
    """

    entity: EntityType
    detector: str
    confidence: float
    is_validated: bool
    masked: str
    value_hash: str
    location: FindingLocation
    start: int  # offset of the value in the extracted document text
    end: int
    hipaa_identifier: str
    fr_category: str
    table_column: str | None = None


@dataclass(frozen=True)
class ColumnVerdict:
    """Column-level summary of a table: "column 3 (nir) holds FR_NIR in 98 of 100 rows"."""

    member: str
    column: str
    entity: EntityType
    rows_with_entity: int
    total_rows: int

    @property
    def share(self) -> float:
        return self.rows_with_entity / self.total_rows if self.total_rows else 0.0


@dataclass(frozen=True)
class SkippedPart:
    """A file or archive member that could not be scanned, and why (no patient data in reason)."""

    member: str
    reason: str


@dataclass(frozen=True)
class DocumentResult:
    """Outcome of scanning one input (and, recursively, its archive members and attachments)."""

    format: str
    findings: tuple[Finding, ...]
    columns: tuple[ColumnVerdict, ...] = ()
    skipped: tuple[SkippedPart, ...] = ()
    bytes_scanned: int = 0
    # Findings not kept in ``findings`` (a bound per file), counted by entity type, and by
    # (HIPAA identifier, French category) for the summaries by category.
    omitted: tuple[tuple[EntityType, int], ...] = ()
    omitted_categories: tuple[tuple[str, str, int], ...] = ()
    # Archive members and attachments read and scanned, at every depth (0 for a plain file).
    members_scanned: int = 0

    @property
    def findings_total(self) -> int:
        return len(self.findings) + sum(count for _entity, count in self.omitted)
