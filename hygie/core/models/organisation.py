"""Organisation → Establishment → Department: who Hygie protects."""

from __future__ import annotations

from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from hygie.core.choices import DepartmentKind, EstablishmentKind, OrganisationKind
from hygie.core.models.scoping import ScopedManager
from hygie.lib.identifiers import check_finess


def validate_finess(value: str) -> None:
    """Reject malformed FINESS numbers; a key mismatch is only warned about (UNVERIFIED rule)."""
    result = check_finess(value)
    if not result.is_well_formed:
        raise ValidationError(
            _(
                "Invalid FINESS number: 9 characters, a department (2 digits, "
                "2A or 2B) then 7 digits."
            ),
            code="finess_format",
        )


def validate_timezone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(
            _("Unknown time zone: use an IANA name such as Europe/Paris."), code="timezone"
        )


class ContactDetails(models.Model):
    """Who the authorities and the team reach in a crisis, entered once and reused by every
    notification draft. On an establishment a blank field falls back to its organisation's."""

    postal_address = models.TextField(_("postal address"), blank=True)
    dpo_name = models.CharField(_("DPO name"), max_length=200, blank=True)
    dpo_email = models.EmailField(_("DPO e-mail"), blank=True)
    dpo_phone = models.CharField(_("DPO phone"), max_length=40, blank=True)
    rssi_name = models.CharField(_("security officer (RSSI) name"), max_length=200, blank=True)
    rssi_email = models.EmailField(_("security officer (RSSI) e-mail"), blank=True)
    rssi_phone = models.CharField(_("security officer (RSSI) phone"), max_length=40, blank=True)
    on_call_phone = models.CharField(
        _("24/7 on-call phone"),
        max_length=40,
        blank=True,
        help_text=_("A number the authorities can call back at any hour during a crisis."),
    )
    legal_representative_name = models.CharField(
        _("legal representative"), max_length=200, blank=True
    )
    legal_representative_title = models.CharField(
        _("legal representative's title"),
        max_length=200,
        blank=True,
        help_text=_("E.g. director general."),
    )

    class Meta:
        abstract = True


CONTACT_FIELDS = tuple(field.name for field in ContactDetails._meta.local_fields)


class Organisation(ContactDetails, models.Model):
    """A legal or operational group of establishments (a GHT, a hospital group, a SOC customer)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=OrganisationKind.choices, default=OrganisationKind.SINGLE
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager()
    scope_path = "establishments"

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Establishment(ContactDetails, models.Model):
    """A care site with its own legal identifiers and time zone (a CHU, a clinic, an EHPAD…)."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="establishments",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("type"), max_length=20, choices=EstablishmentKind.choices, default=EstablishmentKind.CH
    )
    country = models.CharField(
        _("country"),
        max_length=2,
        default="FR",
        help_text=_("ISO 3166-1 alpha-2 code, e.g. FR or US."),
    )
    finess_ej = models.CharField(
        _("FINESS (legal entity)"), max_length=9, blank=True, validators=[validate_finess]
    )
    finess_eg = models.CharField(
        _("FINESS (geographic site)"), max_length=9, blank=True, validators=[validate_finess]
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Paris", validators=[validate_timezone]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager()
    scope_path = "pk"

    class Meta:
        ordering = ["name"]
        verbose_name = _("establishment")
        verbose_name_plural = _("establishments")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="establishment_name_unique"
            ),
            models.UniqueConstraint(
                fields=["finess_eg"],
                condition=~models.Q(finess_eg=""),
                name="establishment_finess_eg_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.country = (self.country or "").upper()
        if len(self.country) != 2 or not self.country.isalpha():
            raise ValidationError({"country": _("Use a two-letter ISO country code.")})
        for field in ("finess_ej", "finess_eg"):
            value = getattr(self, field)
            if value:
                setattr(self, field, check_finess(value).normalised)

    def contacts(self) -> dict[str, str]:
        """The contact details in force here: this establishment's, else its organisation's."""
        organisation = self.organisation
        return {name: getattr(self, name) or getattr(organisation, name) for name in CONTACT_FIELDS}

    @property
    def default_language(self) -> str:
        return "fr" if self.country in {"FR", "BE", "CH", "LU", "MC"} else "en"


class Department(models.Model):
    """A unit of an establishment (urgences, radiologie, bloc, pharmacie, DSI…)."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="departments",
        verbose_name=_("establishment"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=DepartmentKind.choices, default=DepartmentKind.OTHER
    )
    code = models.CharField(
        _("code"), max_length=40, blank=True, help_text=_("Internal code (UF, cost centre).")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["establishment__name", "name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "name"], name="department_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name
