"""Request and response bodies of the privacy API (``<Model>In`` / ``<Model>Out``).

Finding bodies never carry a value of patient data: the masked sample and counts only (the keyed
hashes are not exposed either: they only serve to count values across scans).
"""

from datetime import datetime
from typing import TYPE_CHECKING, Any

from ninja import Field, Schema

from hygie.core.api.choice_values import choice_literal
from hygie.core.api.schemas import Id, InputSchema
from hygie.privacy.choices import (
    ENTITY_CHOICES,
    FR_CATEGORY_CHOICES,
    HIPAA_CHOICES,
    Exposure,
    RunStatus,
    TriageStatus,
)

# mypy cannot read a Literal built at run time: to it these are plain strings.
if TYPE_CHECKING:
    ExposureValue = str
    TriageStatusValue = str
    RunStatusValue = str
    EntityTypeValue = str
    HIPAAIdentifierValue = str
    FRCategoryValue = str
else:
    ExposureValue = choice_literal(Exposure.values)
    TriageStatusValue = choice_literal(TriageStatus.values)
    RunStatusValue = choice_literal(RunStatus.values)
    EntityTypeValue = choice_literal(value for value, _label in ENTITY_CHOICES)
    HIPAAIdentifierValue = choice_literal(value for value, _label in HIPAA_CHOICES)
    FRCategoryValue = choice_literal(value for value, _label in FR_CATEGORY_CHOICES)


class ScanRootIn(InputSchema):
    establishment_id: Id
    label: str = Field(min_length=1, max_length=200)
    path: str = Field(
        min_length=1,
        max_length=1024,
        description="Absolute folder path on the server, inside one of the "
        "folders allowed by HYGIE_PRIVACY_SCAN_ROOTS.",
    )
    exposure: ExposureValue = Exposure.SHARED_DRIVE.value
    is_enabled: bool = True


class ScanRootOut(Schema):
    id: int
    establishment_id: int
    label: str
    path: str
    exposure: str
    is_enabled: bool
    created_at: datetime
    updated_at: datetime


class ScanStartIn(InputSchema):
    root_id: Id = Field(description="The scan root to scan now.")


class ScanUploadIn(InputSchema):
    """The form field sent with an uploaded file (multipart/form-data)."""

    establishment_id: Id


class ScanRunOut(Schema):
    id: int
    establishment_id: int
    root_id: int | None
    job_id: int | None
    status: str
    created_by_id: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    files_scanned: int
    files_skipped: int
    bytes_scanned: int
    findings_count: int
    skipped: list[dict[str, str]]
    summary: dict[str, Any] = Field(
        description="Counts by entity type (`by_entity`) and by category (`by_category`: "
        "`hipaa` and `fr`, each code with its locations and occurrences), archive members."
    )
    error: str


class PHIFindingOut(Schema):
    id: int
    establishment_id: int
    root_id: int | None
    scan_run_id: int | None
    relative_path: str
    location: str
    entity_type: str
    hipaa_identifier: str = Field(
        description="HIPAA Safe Harbor identifier, 45 CFR 164.514(b)(2): a letter A to R "
        "(A names, B geographic subdivisions, C dates, D telephone numbers… R any other unique "
        "identifier), or `none` when the data is not one of the 18 (a FINESS number)."
    )
    fr_category: str = Field(
        description="French category of identifying data: identite, date, lieu, coordonnees, "
        "nir, identifiant, professionnel, appareil, financier, connexion, etablissement."
    )
    count: int
    distinct_values: int
    max_confidence: float
    validated_count: int
    masked_sample: str
    risk_score: float
    is_present: bool
    triage_status: str
    triage_comment: str
    triaged_by_id: int | None
    triaged_at: datetime | None
    first_seen_at: datetime
    last_seen_at: datetime


class TriageIn(InputSchema):
    triage_status: TriageStatusValue
    triage_comment: str = Field("", max_length=2000)
