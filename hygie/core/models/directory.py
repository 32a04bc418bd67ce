"""The staff directory: people who work in an establishment (not patients)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from hygie.core.models.organisation import Department, Establishment
from hygie.core.models.scoping import ScopedManager
from hygie.lib.identifiers import check_adeli, check_rpps


def validate_rpps(value: str) -> None:
    if not check_rpps(value).is_well_formed:
        raise ValidationError(
            _("Invalid RPPS number: 11 digits (or 12 with the prefix 8)."), code="rpps_format"
        )


def validate_adeli(value: str) -> None:
    if not check_adeli(value).is_well_formed:
        raise ValidationError(
            _("Invalid ADELI number: 9 digits (or 10 with the prefix 0)."), code="adeli_format"
        )


class Person(models.Model):
    """A staff member: the natural key is the e-mail address within the establishment."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="people",
        verbose_name=_("establishment"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("department"),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail"))
    profession = models.CharField(_("profession"), max_length=100, blank=True)
    rpps = models.CharField(_("RPPS"), max_length=11, blank=True, validators=[validate_rpps])
    adeli = models.CharField(_("ADELI"), max_length=9, blank=True, validators=[validate_adeli])
    employment_start = models.DateField(_("employment start"), null=True, blank=True)
    employment_end = models.DateField(_("employment end"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(fields=["establishment", "email"], name="person_email_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def clean(self) -> None:
        self.email = (self.email or "").strip().lower()
        if self.rpps:
            self.rpps = check_rpps(self.rpps).normalised
        if self.adeli:
            self.adeli = check_adeli(self.adeli).normalised
        if (
            self.department_id
            and self.establishment_id
            and self.department is not None
            and self.department.establishment_id != self.establishment_id
        ):
            raise ValidationError(
                {"department": _("This department belongs to another establishment.")}
            )
        if (
            self.employment_start
            and self.employment_end
            and self.employment_end < self.employment_start
        ):
            raise ValidationError({"employment_end": _("Employment cannot end before it starts.")})
