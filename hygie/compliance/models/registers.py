"""The GDPR registers of an establishment: the record of processing activities (art. 30) and
the data protection impact assessments (art. 35, CNIL method). The breach register (art. 33(5))
is the response module's; these pages link to it.

The closed vocabularies use the codes of the pure engines (``engine/registers.py``,
``engine/dpia.py``); their labels are here, translated.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hygie.compliance.engine import dpia as dpia_engine
from hygie.compliance.engine.registers import LEGAL_BASES, SPECIAL_EXCEPTIONS
from hygie.core.models import Establishment
from hygie.core.models.scoping import ScopedManager

_USER = settings.AUTH_USER_MODEL


class ProcessingStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("processing", "Draft")
    ACTIVE = "active", pgettext_lazy("processing", "In operation")
    RETIRED = "retired", pgettext_lazy("processing", "Ended")


class LegalBasis(models.TextChoices):
    CONSENT = "consent", _("Consent (art. 6(1)(a))")
    CONTRACT = "contract", _("Contract (art. 6(1)(b))")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation (art. 6(1)(c))")
    VITAL_INTERESTS = "vital_interests", _("Vital interests (art. 6(1)(d))")
    PUBLIC_TASK = "public_task", _("Public interest task (art. 6(1)(e))")
    LEGITIMATE_INTERESTS = "legitimate_interests", _("Legitimate interests (art. 6(1)(f))")


class SpecialCategoryException(models.TextChoices):
    NONE = "", _("None (no special category of data)")
    A = "a", _("(a) explicit consent")
    B = "b", _("(b) employment and social security law")
    C = "c", _("(c) vital interests of a person unable to consent")
    D = "d", _("(d) non-profit body, its members")
    E = "e", _("(e) data made public by the person")
    F = "f", _("(f) legal claims")
    G = "g", _("(g) substantial public interest")
    H = "h", _("(h) medicine and care, under professional secrecy")
    I = "i", _("(i) public health")  # noqa: E741  (the article's own letter)
    J = "j", _("(j) research, statistics, archiving in the public interest")


class DPIACriterion(models.TextChoices):
    EVALUATION_SCORING = "evaluation_scoring", _("Evaluation or scoring (profiling)")
    AUTOMATED_DECISION = "automated_decision", _("Automated decision with legal effect")
    SYSTEMATIC_MONITORING = "systematic_monitoring", _("Systematic monitoring of people")
    SENSITIVE_DATA = "sensitive_data", _("Sensitive data (health data among them)")
    LARGE_SCALE = "large_scale", _("Data processed on a large scale")
    MATCHING_DATASETS = "matching_datasets", _("Matching or combining data sets")
    VULNERABLE_SUBJECTS = "vulnerable_subjects", _("Vulnerable data subjects (patients)")
    INNOVATIVE_USE = "innovative_use", _("Innovative use of technology")
    PREVENTS_RIGHTS = "prevents_rights", _("Prevents exercising a right or using a service")


class DPIAStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("dpia", "Draft")
    IN_PROGRESS = "in_progress", pgettext_lazy("dpia", "In progress")
    SUBMITTED = "submitted", pgettext_lazy("dpia", "Submitted to the DPO")
    VALIDATED = "validated", pgettext_lazy("dpia", "Validated")
    TO_REVISE = "to_revise", pgettext_lazy("dpia", "To revise")


class DPODecision(models.TextChoices):
    NONE = "", _("No opinion yet")
    FAVOURABLE = "favourable", _("Favourable")
    WITH_RESERVATIONS = "with_reservations", _("Favourable with reservations")
    UNFAVOURABLE = "unfavourable", _("Unfavourable")


class RiskKind(models.TextChoices):
    ILLEGITIMATE_ACCESS = "illegitimate_access", _("Illegitimate access to data")
    UNWANTED_MODIFICATION = "unwanted_modification", _("Unwanted modification of data")
    DISAPPEARANCE = "disappearance", _("Disappearance of data")


class RiskLevel(models.IntegerChoices):
    NEGLIGIBLE = 1, _("Negligible")
    LIMITED = 2, _("Limited")
    SIGNIFICANT = 3, _("Significant")
    MAXIMUM = 4, _("Maximum")


class RiskZone(models.TextChoices):
    NOT_ASSESSED = "not_assessed", _("Not assessed")
    ACCEPTABLE = "acceptable", _("Acceptable")
    TO_REDUCE = "to_reduce", _("To reduce")
    UNACCEPTABLE = "unacceptable", _("Unacceptable")


class Evaluation(models.TextChoices):
    NOT_ASSESSED = "", _("Not assessed")
    ACCEPTABLE = "acceptable", _("Acceptable")
    IMPROVABLE = "improvable", _("Improvable")
    UNACCEPTABLE = "unacceptable", _("Unacceptable")


# The questions of the fundamental principles (keys from engine.dpia.PRINCIPLES).
PRINCIPLE_LABELS = {
    "purposes": _("Purposes are specified, explicit and legitimate"),
    "legal_basis": _("The processing has a lawful basis (and an art. 9(2) exception)"),
    "minimisation": _("Data are adequate, relevant and limited to what is necessary"),
    "accuracy": _("Data are accurate and kept up to date"),
    "retention": _("Retention periods are defined and justified"),
    "information": _("Data subjects are informed"),
    "consent": _("Consent is obtained where it is the basis"),
    "access_portability": _("Right of access and to data portability"),
    "rectification_erasure": _("Right to rectification and erasure"),
    "restriction_objection": _("Right to restriction of processing and to object"),
    "processors": _("Processors are bound by a contract (art. 28)"),
    "transfers": _("Transfers outside the EU are protected"),
}
PRINCIPLE_GROUP_LABELS = {
    dpia_engine.PrincipleGroup.PROPORTIONALITY: _("Proportionality and necessity"),
    dpia_engine.PrincipleGroup.RIGHTS: _("Protection of the data subjects' rights"),
}


def contact_defaults(establishment: Establishment) -> dict[str, str]:
    """The controller and DPO lines of a register entry from an establishment's contacts."""
    contacts = establishment.contacts()
    representative = ", ".join(
        filter(
            None,
            (contacts["legal_representative_name"], contacts["legal_representative_title"]),
        )
    )
    controller = "\n".join(
        filter(None, (establishment.name, contacts["postal_address"], representative))
    )
    dpo = ", ".join(
        filter(None, (contacts["dpo_name"], contacts["dpo_email"], contacts["dpo_phone"]))
    )
    return {"controller": controller, "dpo": dpo}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class ProcessingActivity(models.Model):
    """An entry of the record of processing activities (GDPR art. 30, CNIL model register)."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="processing_activities",
        verbose_name=_("establishment"),
    )
    name = models.CharField(_("name"), max_length=300)
    reference = models.CharField(
        _("reference"), max_length=50, blank=True, help_text=_("Your own numbering, if any.")
    )
    preset = models.CharField(_("preset"), max_length=50, blank=True, editable=False)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ProcessingStatus.choices,
        default=ProcessingStatus.DRAFT,
        db_index=True,
    )
    controller = models.TextField(
        _("controller"),
        blank=True,
        help_text=_("Name and contact details (the establishment by default)."),
    )
    joint_controllers = models.TextField(_("joint controllers"), blank=True)
    dpo = models.TextField(_("data protection officer"), blank=True)
    purposes = models.TextField(_("purposes"), help_text=_("One purpose per line."))
    legal_basis = models.CharField(
        _("legal basis (art. 6)"), max_length=30, choices=LegalBasis.choices
    )
    legal_basis_details = models.TextField(
        _("legal basis details"), blank=True, help_text=_("The text or contract it rests on.")
    )
    has_special_categories = models.BooleanField(
        _("special categories of data (health…)"), default=False
    )
    special_category_exception = models.CharField(
        _("art. 9(2) exception"),
        max_length=2,
        choices=SpecialCategoryException.choices,
        blank=True,
    )
    data_subjects = models.TextField(_("categories of data subjects"))
    data_categories = models.TextField(_("categories of personal data"))
    special_categories = models.TextField(_("special categories of data"), blank=True)
    data_source = models.TextField(_("source of the data"), blank=True)
    recipients_internal = models.TextField(_("internal recipients"), blank=True)
    recipients_external = models.TextField(_("external recipients"), blank=True)
    processors = models.TextField(_("processors"), blank=True)
    transfers_outside_eu = models.BooleanField(_("transfers outside the EU"), default=False)
    transfers = models.TextField(
        _("transfers and safeguards"),
        blank=True,
        help_text=_("Country and safeguard (adequacy decision, standard clauses…)."),
    )
    retention = models.TextField(
        _("retention periods"), help_text=_("One line per category of data.")
    )
    security_measures = models.TextField(_("security measures"))
    dpia_criteria = models.JSONField(_("DPIA criteria met"), default=list, blank=True)
    created_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["establishment__name", "name"]
        verbose_name = _("processing activity")
        verbose_name_plural = _("processing activities")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.establishment_id and not (self.controller.strip() and self.dpo.strip()):
            # The register names the controller and the DPO: by default, the establishment's
            # contact details (its own, else its organisation's).
            defaults = contact_defaults(self.establishment)
            self.controller = self.controller.strip() or defaults["controller"]
            self.dpo = self.dpo.strip() or defaults["dpo"]
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.legal_basis and self.legal_basis not in LEGAL_BASES:
            errors["legal_basis"] = _("Unknown legal basis.")
        if self.special_category_exception not in ("", *SPECIAL_EXCEPTIONS):
            errors["special_category_exception"] = _("Unknown exception.")
        if self.has_special_categories and not self.special_category_exception:
            errors["special_category_exception"] = _(
                "Special categories of data need an art. 9(2) exception."
            )
        if self.special_category_exception and not self.has_special_categories:
            errors["has_special_categories"] = _(
                "An art. 9(2) exception is only for special categories of data: tick the box."
            )
        if self.transfers_outside_eu and not self.transfers.strip():
            errors["transfers"] = _("Say where the data go and under which safeguard.")
        criteria = self.dpia_criteria
        if not isinstance(criteria, list) or not set(criteria) <= set(DPIACriterion.values):
            errors["dpia_criteria"] = _("Unknown DPIA criterion.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_dpia_required(self) -> bool:
        return dpia_engine.dpia_required(self.dpia_criteria or [])

    def lines(self, field_name: str) -> list[str]:
        return _lines(str(getattr(self, field_name)))


CONTENT_FIELDS = (
    "establishment_id",
    "processing_id",
    "title",
    "description",
    "data_description",
    "lifecycle",
    "supports",
    "action_plan",
)


class DPIA(models.Model):
    """A data protection impact assessment (GDPR art. 35; AIPD, CNIL method)."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="dpias",
        verbose_name=_("establishment"),
    )
    processing = models.ForeignKey(
        ProcessingActivity,
        on_delete=models.PROTECT,
        related_name="dpias",
        verbose_name=_("processing activity"),
    )
    title = models.CharField(_("title"), max_length=300)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DPIAStatus.choices,
        default=DPIAStatus.DRAFT,
        db_index=True,
    )
    # Context
    description = models.TextField(_("description of the processing"), blank=True)
    data_description = models.TextField(_("data processed"), blank=True)
    lifecycle = models.TextField(_("data life cycle"), blank=True)
    supports = models.TextField(
        _("supporting assets"),
        blank=True,
        help_text=_("Systems, software, networks, people and paper the data rely on."),
    )
    # Fundamental principles: {principle key: {"evaluation": code, "comment": text}}
    principles = models.JSONField(_("fundamental principles"), default=dict, blank=True)
    action_plan = models.TextField(
        _("action plan"), blank=True, help_text=_("One planned measure per line: owner, due date.")
    )
    # The DPO's opinion and validation
    dpo_opinion = models.TextField(_("DPO opinion"), blank=True)
    dpo_decision = models.CharField(
        _("DPO decision"), max_length=20, choices=DPODecision.choices, blank=True
    )
    validated_by = models.ForeignKey(
        _USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("validated by"),
    )
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)
    created_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["-updated_at", "pk"]
        verbose_name = _("DPIA")
        verbose_name_plural = _("DPIAs")

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        created = self.pk is None
        if not created and self.status != DPIAStatus.DRAFT:
            # Whoever changes the content (page, API, script), the DPO's opinion no longer
            # covers it.
            stored = type(self)._base_manager.filter(pk=self.pk).values(*CONTENT_FIELDS).first()
            if stored and any(stored[name] != getattr(self, name) for name in CONTENT_FIELDS):
                self.reopen()
        super().save(*args, **kwargs)
        if created:
            # Every DPIA studies the three feared events of the method.
            for kind in dpia_engine.RiskKind:
                DPIARisk.objects.create(dpia=self, kind=kind.value)

    def clean(self) -> None:
        if self.processing_id and self.establishment_id:
            if self.processing.establishment_id != self.establishment_id:
                raise ValidationError(
                    {"processing": _("Choose a processing activity of the same establishment.")}
                )
        if not isinstance(self.principles, dict):
            raise ValidationError({"principles": _("Invalid principles.")})

    def reopen(self) -> None:
        """Back to work after a change (not saved here): a DPO's opinion was about the previous
        content, which the audit trail keeps."""
        if self.status in (DPIAStatus.VALIDATED, DPIAStatus.SUBMITTED, DPIAStatus.TO_REVISE):
            self.status = DPIAStatus.IN_PROGRESS
            self.dpo_decision = DPODecision.NONE
            self.validated_by = None
            self.validated_at = None
        elif self.status == DPIAStatus.DRAFT:
            self.status = DPIAStatus.IN_PROGRESS

    def principle(self, key: str) -> dict[str, str]:
        value = (self.principles or {}).get(key) if isinstance(self.principles, dict) else None
        if not isinstance(value, dict):
            return {"evaluation": "", "comment": ""}
        return {
            "evaluation": str(value.get("evaluation", "")),
            "comment": str(value.get("comment", "")),
        }


class DPIARisk(models.Model):
    """One feared event of a DPIA, assessed before and after measures."""

    dpia = models.ForeignKey(DPIA, on_delete=models.CASCADE, related_name="risks")
    kind = models.CharField(_("feared event"), max_length=30, choices=RiskKind.choices)
    sources = models.TextField(
        _("risk sources"), blank=True, help_text=_("Who or what could cause it.")
    )
    threats = models.TextField(_("threats"), blank=True)
    impacts = models.TextField(_("impacts on the data subjects"), blank=True)
    existing_measures = models.TextField(_("existing measures"), blank=True)
    planned_measures = models.TextField(_("planned measures"), blank=True)
    severity = models.PositiveSmallIntegerField(
        _("severity"), choices=RiskLevel.choices, null=True, blank=True
    )
    likelihood = models.PositiveSmallIntegerField(
        _("likelihood"), choices=RiskLevel.choices, null=True, blank=True
    )
    residual_severity = models.PositiveSmallIntegerField(
        _("residual severity"), choices=RiskLevel.choices, null=True, blank=True
    )
    residual_likelihood = models.PositiveSmallIntegerField(
        _("residual likelihood"), choices=RiskLevel.choices, null=True, blank=True
    )

    objects = ScopedManager()
    scope_path = "dpia__establishment"

    class Meta:
        ordering = ["dpia", "pk"]
        verbose_name = _("DPIA risk")
        verbose_name_plural = _("DPIA risks")
        constraints = [
            models.UniqueConstraint(fields=["dpia", "kind"], name="dpia_risk_once_per_kind")
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    def as_input(self) -> dpia_engine.RiskInput:
        return dpia_engine.RiskInput(
            kind=self.kind,
            severity=self.severity,
            likelihood=self.likelihood,
            residual_severity=self.residual_severity,
            residual_likelihood=self.residual_likelihood,
            has_measures=bool(self.existing_measures.strip() or self.planned_measures.strip()),
        )


REGISTER_MODELS = (ProcessingActivity, DPIA, DPIARisk)
