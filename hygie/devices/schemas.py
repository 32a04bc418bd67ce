"""Request and response bodies of the devices API (``<Model>In`` / ``<Model>Out``)."""

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ninja import Field, Schema

from hygie.core.api.choice_values import choice_literal
from hygie.core.api.schemas import Id, InputSchema
from hygie.devices.choices import (
    AliasKind,
    ClinicalFunction,
    CompensatingControl,
    EuClass,
    FdaClass,
    FeedKind,
    MatchStatus,
    NetworkZone,
    VexJustification,
    Workflow,
)

# mypy cannot read a Literal built at run time: to it these are plain strings.
if TYPE_CHECKING:
    ClinicalFunctionValue = str
    EuClassValue = str
    FdaClassValue = str
    NetworkZoneValue = str
    ControlValue = str
    WorkflowValue = str
    VexValue = str
    MatchStatusValue = str
    AliasKindValue = str
    FeedKindValue = str
else:
    ClinicalFunctionValue = choice_literal(ClinicalFunction.values)
    EuClassValue = choice_literal(EuClass.values)
    FdaClassValue = choice_literal(FdaClass.values)
    NetworkZoneValue = choice_literal(NetworkZone.values)
    ControlValue = choice_literal(CompensatingControl.values)
    WorkflowValue = choice_literal(Workflow.values)
    VexValue = choice_literal(VexJustification.values)
    MatchStatusValue = choice_literal(MatchStatus.values)
    AliasKindValue = choice_literal(AliasKind.values)
    FeedKindValue = choice_literal(v for v in FeedKind.values if v != FeedKind.SBOM)


class DeviceIn(InputSchema):
    establishment_id: Id
    asset_id: Id = Field(description="The asset (host) this device record describes.")
    manufacturer: str = Field("", max_length=200)
    model_name: str = Field("", max_length=200)
    version: str = Field("", max_length=100)
    serial_number: str = Field("", max_length=100)
    udi_di: str = Field("", max_length=100)
    eu_class: EuClassValue = ""
    fda_class: FdaClassValue = ""
    clinical_function: ClinicalFunctionValue = ClinicalFunction.NON_CLINICAL.value
    patient_connected: bool = False
    stores_phi: bool = False
    location: str = Field("", max_length=200)
    department_id: Id | None = None
    network_zone: NetworkZoneValue = NetworkZone.UNKNOWN.value
    internet_reachable: bool = False
    os_name: str = Field("", max_length=100)
    os_version: str = Field("", max_length=100)
    os_end_of_support: date | None = None
    support_end: date | None = None
    warranty_end: date | None = None
    owner: str = Field("", max_length=200)
    vendor_contact: str = Field("", max_length=300)
    cpe: str = Field("", max_length=300)
    purl: str = Field("", max_length=500)
    compensating_controls: list[ControlValue] = Field(default_factory=list, max_length=20)
    notes: str = Field("", max_length=10000)


class DeviceOut(Schema):
    id: int
    establishment_id: int
    asset_id: int
    hostname: str = Field(alias="asset.hostname")
    manufacturer: str
    model_name: str
    version: str
    serial_number: str
    udi_di: str
    eu_class: str
    fda_class: str
    clinical_function: str
    patient_connected: bool
    stores_phi: bool
    location: str
    department_id: int | None
    network_zone: str
    internet_reachable: bool
    os_name: str
    os_version: str
    os_end_of_support: date | None
    support_end: date | None
    warranty_end: date | None
    owner: str
    vendor_contact: str
    cpe: str
    purl: str
    compensating_controls: list[str]
    mds2: dict[str, Any]
    notes: str
    created_at: datetime
    updated_at: datetime


class RiskFactorOut(Schema):
    component: str
    label: dict[str, str]
    detail: dict[str, str]


class RiskOut(Schema):
    score: float
    level: str
    exploitability: float = 0
    exposure: float = 0
    impact: float = 0
    reduction: float = 0
    factors: list[RiskFactorOut] = []


class VendorAliasIn(InputSchema):
    kind: AliasKindValue = AliasKind.VENDOR.value
    alias: str = Field(min_length=1, max_length=200)
    canonical: str = Field(min_length=1, max_length=200)
    vendor: str = Field("", max_length=200)


class VendorAliasOut(Schema):
    id: int
    kind: str
    alias: str
    canonical: str
    vendor: str
    created_at: datetime


class AdvisoryOut(Schema):
    id: int
    source: str
    tracking_id: str
    title: str
    publisher: str
    initial_release: datetime | None
    current_release: datetime | None
    revision: str
    url: str
    sha256: str


class VulnerabilityOut(Schema):
    id: int
    cve: str
    description: str
    cvss_vector: str
    cvss_score: float | None
    kev: bool
    kev_date_added: date | None
    kev_due_date: date | None
    kev_ransomware: bool
    epss_score: float | None
    epss_percentile: float | None
    epss_date: date | None
    published: datetime | None


class DeviceVulnerabilityOut(Schema):
    id: int
    device_id: int
    vulnerability_id: int | None
    cve: str | None = Field(None, alias="vulnerability.cve")
    advisory_id: int | None
    product_id: str
    status: str
    why: str
    remediation: str
    workflow: str
    justification: str
    vex_justification: str
    accepted_until: date | None
    decided_by_id: int | None
    decided_at: datetime | None
    risk_score: float
    risk_breakdown: dict[str, Any]
    first_seen: datetime
    last_seen: datetime


class DecisionIn(InputSchema):
    workflow: WorkflowValue
    justification: str = Field("", max_length=5000)
    vex_justification: VexValue = ""
    accepted_until: date | None = None


class FeedImportOut(Schema):
    id: int
    kind: str
    name: str
    sha256: str
    status: str
    counts: dict[str, int]
    errors: list[str]
    started_at: datetime
    finished_at: datetime | None


class FeedUploadIn(InputSchema):
    kind: FeedKindValue


class InventoryImportOut(Schema):
    id: int
    establishment_id: int
    status: str
    columns: list[str]
    mapping: dict[str, int]
    report: dict[str, Any]
    created_at: datetime
    committed_at: datetime | None


class InventoryUploadIn(InputSchema):
    establishment_id: Id


class MappingIn(InputSchema):
    mapping: dict[str, int] = Field(
        description="Device field → column index (0-based) of the uploaded file."
    )


class MergeIn(InputSchema):
    other_id: Id = Field(description="The duplicate device folded into this one (then deleted).")
