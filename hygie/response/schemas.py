"""Request and response bodies of the response API: ``<Model>In`` for writes, ``<Model>Out`` for
reads. References to other objects are ids, checked against the caller's scope by the handlers.
Times are ISO 8601 with an offset; they are answered in UTC.
"""

from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from ninja import Field, Schema

from hygie.core.api.choice_values import choice_literal
from hygie.core.api.schemas import Id, InputSchema, InstantParam
from hygie.response.choices import (
    CareImpact,
    CustodyAction,
    DataCategory,
    IncidentCategory,
    IncidentSource,
    IncidentStatus,
    ObservableKind,
    PersonalData,
    Risk,
    TaskStatus,
)

# mypy cannot read a Literal built at run time: to it these are plain strings.
if TYPE_CHECKING:
    IncidentCategoryValue = str
    IncidentStatusValue = str
    CareImpactValue = str
    PersonalDataValue = str
    RiskValue = str
    IncidentSourceValue = str
    DataCategoryValue = str
    TaskStatusValue = str
    TaskPhaseValue = str
    ObservableKindValue = str
    ManualCustodyValue = str
else:
    IncidentCategoryValue = choice_literal(IncidentCategory.values)
    IncidentStatusValue = choice_literal(IncidentStatus.values)
    CareImpactValue = choice_literal(CareImpact.values)
    PersonalDataValue = choice_literal(PersonalData.values)
    RiskValue = choice_literal(Risk.values)
    IncidentSourceValue = choice_literal(IncidentSource.values)
    DataCategoryValue = choice_literal(DataCategory.values)
    TaskStatusValue = choice_literal(TaskStatus.values)
    TaskPhaseValue = choice_literal(["", *IncidentStatus.values[:-1]])
    ObservableKindValue = choice_literal(ObservableKind.values)
    ManualCustodyValue = choice_literal(
        [CustodyAction.TRANSFERRED.value, CustodyAction.SEALED.value, CustodyAction.RETURNED.value]
    )
SeverityValue = Literal[10, 20, 30, 40, 50]
LogKindValue = Literal["log", "decision"]

_TEXT = 20_000
_IDS: list[int] = Field(default_factory=list, max_length=500)


# --- incidents --------------------------------------------------------------------------------


class _IncidentFacts(InputSchema):
    title: str = Field(min_length=1, max_length=300)
    description: str = Field("", max_length=_TEXT)
    category: IncidentCategoryValue = IncidentCategory.OTHER.value
    severity: SeverityValue = Field(30, description="10 informational … 50 critical.")
    care_impact: CareImpactValue = CareImpact.NONE.value
    personal_data: PersonalDataValue = PersonalData.UNKNOWN.value
    data_categories: list[DataCategoryValue] = Field(default_factory=list, max_length=20)
    individuals_affected: int | None = Field(None, ge=0, le=2_000_000_000)
    residents_by_state: dict[str, int] = Field(
        default_factory=dict, description="US state code → residents affected (HIPAA)."
    )
    risk_to_individuals: RiskValue = Risk.MEDIUM.value
    data_encrypted: bool = False
    occurred_at: InstantParam | None = None
    discovered_at: InstantParam = Field(
        description="When the organisation became aware; starts the regulatory clocks."
    )
    source: IncidentSourceValue = IncidentSource.MANUAL.value
    source_reference: str = Field(
        "",
        max_length=300,
        description="Mail reference for a reported phishing mail, CERT notice number…",
    )
    affected_establishment_ids: list[Id] = _IDS
    department_ids: list[Id] = _IDS
    asset_ids: list[Id] = _IDS


class IncidentIn(_IncidentFacts):
    establishment_id: Id | None = Field(
        None,
        description="Handling establishment. Optional with `alert_ids` (then the "
        "establishment of the worst alert).",
    )
    assignee_id: Id | None = None
    alert_ids: list[Id] = Field(
        default_factory=list,
        max_length=200,
        description="Create from these alerts: they are linked and "
        "escalated; missing facts are suggested from "
        "them.",
    )
    discovered_at: InstantParam | None = Field(  # type: ignore[assignment]
        None, description="Required unless created from alerts (then the earliest first sighting)."
    )
    title: str = Field("", max_length=300, description="Required unless created from alerts.")
    severity: SeverityValue | None = None  # type: ignore[assignment]


class IncidentUpdateIn(_IncidentFacts):
    root_cause: str = Field("", max_length=_TEXT)
    lessons_learned: str = Field("", max_length=_TEXT)
    follow_up_actions: str = Field("", max_length=_TEXT)


class IncidentOut(Schema):
    id: int
    reference: str
    establishment_id: int
    title: str
    description: str
    category: str
    severity: int
    status: str
    care_impact: str
    personal_data: str
    data_categories: list[str]
    individuals_affected: int | None
    residents_by_state: dict[str, Any]
    risk_to_individuals: str
    data_encrypted: bool
    occurred_at: datetime | None
    discovered_at: datetime
    source: str
    source_reference: str
    assignee_id: int | None
    created_by_id: int | None
    triaged_at: datetime | None
    contained_at: datetime | None
    eradicated_at: datetime | None
    recovered_at: datetime | None
    post_incident_at: datetime | None
    closed_at: datetime | None
    root_cause: str
    lessons_learned: str
    follow_up_actions: str
    affected_establishment_ids: list[int]
    department_ids: list[int]
    asset_ids: list[int]
    alert_ids: list[int]
    watcher_ids: list[int]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_affected_establishment_ids(obj: Any) -> list[int]:
        return sorted(item.pk for item in obj.affected_establishments.all())

    @staticmethod
    def resolve_department_ids(obj: Any) -> list[int]:
        return sorted(item.pk for item in obj.departments.all())

    @staticmethod
    def resolve_asset_ids(obj: Any) -> list[int]:
        return sorted(item.pk for item in obj.assets.all())

    @staticmethod
    def resolve_alert_ids(obj: Any) -> list[int]:
        return sorted(item.pk for item in obj.alerts.all())

    @staticmethod
    def resolve_watcher_ids(obj: Any) -> list[int]:
        return sorted(item.pk for item in obj.watchers.all())


class IncidentTransitionIn(InputSchema):
    to_status: IncidentStatusValue
    note: str = Field(
        "",
        max_length=_TEXT,
        description="Required to go back a phase, to close before post-incident, and to reopen.",
    )
    at: InstantParam | None = Field(None, description="When it happened (default: now).")


class IncidentTransitionOut(Schema):
    id: int
    from_status: str
    to_status: str
    by_id: int | None
    at: datetime
    note: str


class AssigneeIn(InputSchema):
    assignee_id: Id | None = Field(description="`null` unassigns.")


class AlertLinkIn(InputSchema):
    alert_ids: list[Id] = Field(min_length=1, max_length=200)


class WatcherIn(InputSchema):
    user_id: Id


class WatcherOut(Schema):
    id: int
    username: str
    full_name: str

    @staticmethod
    def resolve_full_name(obj: Any) -> str:
        return str(obj.get_full_name())


# --- tasks ------------------------------------------------------------------------------------


class TaskIn(InputSchema):
    title: str = Field(min_length=1, max_length=300)
    description: str = Field("", max_length=_TEXT)
    phase: TaskPhaseValue = ""
    owner_id: Id | None = None
    due_at: InstantParam | None = None
    is_decision: bool = False


class TaskStatusIn(InputSchema):
    status: TaskStatusValue
    decision: str = Field("", max_length=_TEXT, description="Required to complete a decision task.")
    note: str = Field("", max_length=_TEXT, description="Required to cancel.")


class TaskOut(Schema):
    id: int
    title: str
    description: str
    phase: str
    status: str
    owner_id: int | None
    due_at: datetime | None
    is_decision: bool
    decision: str
    applied_playbook_id: int | None
    step_key: str
    order: int
    completed_at: datetime | None
    completed_by_id: int | None
    created_at: datetime


# --- timeline, observables, comments ----------------------------------------------------------


class TimelineEntryIn(InputSchema):
    text: str = Field(min_length=1, max_length=_TEXT)
    kind: LogKindValue = "log"
    at: InstantParam | None = Field(
        None, description="When it happened (default: now; never in the future)."
    )


class TimelineEntryOut(Schema):
    id: int
    at: datetime
    kind: str
    text: str
    author_id: int | None
    created_at: datetime


class ObservableIn(InputSchema):
    kind: ObservableKindValue
    value: str = Field(
        min_length=1,
        max_length=2048,
        description="Normalised on receipt (defanged values accepted).",
    )
    note: str = Field("", max_length=5000)
    is_ioc: bool = True


class ObservableOut(Schema):
    id: int
    kind: str
    value: str
    note: str
    is_ioc: bool
    created_by_id: int | None
    created_at: datetime


class CommentIn(InputSchema):
    text: str = Field(min_length=1, max_length=_TEXT)


class CommentOut(Schema):
    id: int
    author_id: int | None
    text: str
    created_at: datetime


# --- evidence ---------------------------------------------------------------------------------


class IncidentEvidenceIn(InputSchema):
    title: str = Field(min_length=1, max_length=300)
    description: str = Field("", max_length=5000)
    location: str = Field("", max_length=300)


class CustodyEventIn(InputSchema):
    action: ManualCustodyValue
    counterpart: str = Field(
        "", max_length=200, description="Required for a hand-over or a return."
    )
    location: str = Field("", max_length=300)
    note: str = Field("", max_length=5000, description="Required for a seal (seal number).")


class CustodyEventOut(Schema):
    id: int
    action: str
    actor_id: int | None
    at: datetime
    counterpart: str
    sha256_verified: str
    note: str


class IncidentEvidenceOut(Schema):
    id: int
    evidence_id: int
    title: str
    file_name: str  # masked: the uploaded name may name a patient (see core's evidence API)
    content_type: str
    size: int
    sha256: str
    collected_by_id: int | None
    collected_at: datetime
    holder: str
    location: str
    custody: list[CustodyEventOut]

    @staticmethod
    def resolve_title(obj: Any) -> str:
        return str(obj.evidence.title)

    @staticmethod
    def resolve_file_name(obj: Any) -> str:
        return str(obj.evidence.file_name)

    @staticmethod
    def resolve_content_type(obj: Any) -> str:
        return str(obj.evidence.content_type_label)

    @staticmethod
    def resolve_size(obj: Any) -> int:
        return int(obj.evidence.size)

    @staticmethod
    def resolve_sha256(obj: Any) -> str:
        return str(obj.evidence.sha256)

    @staticmethod
    def resolve_collected_by_id(obj: Any) -> int | None:
        return obj.evidence.collected_by_id

    @staticmethod
    def resolve_collected_at(obj: Any) -> datetime:
        return obj.evidence.collected_at

    @staticmethod
    def resolve_custody(obj: Any) -> list[Any]:
        return list(obj.custody.all())


class VerificationOut(Schema):
    matches: bool
    expected_sha256: str
    computed_sha256: str
    event: CustodyEventOut
