"""Filters of the audit trail pages and export; every choice is limited to what the user sees."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.core.display import object_type_label
from hygie.core.models import AuditAction, AuditEntry, Establishment, User
from hygie.core.widgets import IsoDateInput


class AuditFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("Searched in the object, the message and the actor."),
    )
    actor = forms.CharField(label=_("Actor"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("Action"), required=False)
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    establishment = forms.ModelChoiceField(
        label=_("Establishment"),
        required=False,
        queryset=Establishment.objects.none(),
        empty_label=_("All establishments"),
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=IsoDateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=IsoDateInput())

    def __init__(self, data: Any, *, user: User, visible: QuerySet[AuditEntry]) -> None:
        super().__init__(data)
        action, object_type = self.fields["action"], self.fields["object_type"]
        establishment = self.fields["establishment"]
        assert isinstance(action, forms.ChoiceField)
        assert isinstance(object_type, forms.ChoiceField)
        assert isinstance(establishment, forms.ModelChoiceField)
        action.choices = [("", _("All actions")), *AuditAction.choices]
        # Offer only object types that occur in entries this user may see.
        types = visible.order_by("object_type").values_list("object_type", flat=True).distinct()
        labelled = sorted(
            ((value, object_type_label(value)) for value in types if value),
            key=lambda choice: choice[1].lower(),
        )
        object_type.choices = [("", _("All types")), *labelled]
        establishment.queryset = Establishment.objects.visible_to(user)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def apply(self, entries: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        """Narrow ``entries`` (already scoped to the user) with the valid filters."""
        if not self.is_valid():
            return entries
        data = self.cleaned_data
        if data["q"]:
            text = data["q"]
            entries = entries.filter(
                Q(object_repr__icontains=text)
                | Q(message__icontains=text)
                | Q(actor_label__icontains=text)
                | Q(object_id=text)
            )
        if data["actor"]:
            entries = entries.filter(actor_label__icontains=data["actor"])
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["object_type"]:
            entries = entries.filter(object_type=data["object_type"])
        if data["establishment"]:
            entries = entries.filter(establishment=data["establishment"])
        if data["date_from"]:
            entries = entries.filter(at__gte=_start_of(data["date_from"]))
        if data["date_to"]:
            entries = entries.filter(at__lt=_start_of(data["date_to"]) + timedelta(days=1))
        return entries

    def describe(self) -> str:
        """The active filters in one line, for the record of an export (no values hidden)."""
        if not self.is_valid():
            return ""
        parts = [f"{name}={value}" for name, value in self.cleaned_data.items() if value]
        return ", ".join(parts)


def _start_of(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
