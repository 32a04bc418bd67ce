"""Incident forms: declaring and editing an incident, and the actions on its file. Choices of
scoped objects only offer what the user can see, and times are typed and shown in the
establishment's time zone (the one the regulators' clocks use).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.core.forms import ScopedModelForm, form_field
from hygie.core.models import Establishment, User
from hygie.core.tables import scoped_label
from hygie.core.widgets import IsoDateTimeInput, SearchableSelectMultiple
from hygie.response.choices import (
    CustodyAction,
    DataCategory,
    IncidentStatus,
    ObservableKind,
    TaskStatus,
    TimelineKind,
)
from hygie.response.models import Incident

_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
_RESIDENTS = re.compile(r"^\s*([A-Za-z]{2})\s*[=:]\s*(\d{1,9})\s*$")


class LocalDateTimeField(forms.DateTimeField):
    """A wall-clock time without a zone; the form places it in the establishment's zone."""

    widget = IsoDateTimeInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "input_formats",
            [_LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime | None:
        result = super().to_python(value)
        # Django placed it in the server's zone; keep only the wall-clock time.
        return result.replace(tzinfo=None) if result is not None else None


def to_zone(value: datetime | None, zone_name: str) -> datetime | None:
    """A wall-clock time read in ``zone_name`` as an aware instant (DST gaps move forward)."""
    if value is None:
        return None
    return timezone.make_aware(value.replace(tzinfo=None), ZoneInfo(zone_name))


def wall_clock(value: datetime | None, zone_name: str) -> datetime | None:
    """An instant as the wall-clock time of ``zone_name``, for a form's initial value."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(zone_name)).replace(tzinfo=None)


def _scoped(field: forms.ModelChoiceField[Any]) -> QuerySet[Any]:
    """A model choice field's queryset (ScopedModelForm already limited it to the user's)."""
    if field.queryset is None:
        raise TypeError("a model choice field without a queryset")
    return field.queryset


def _zone_help(zone_name: str | None) -> str:
    if zone_name:
        return str(_("Local time of the establishment (%(zone)s).") % {"zone": zone_name})
    return str(_("Local time of the establishment chosen above."))


class IncidentForm(ScopedModelForm):
    """Declare or edit an incident. The views hand ``cleaned_data`` to the services."""

    LOCAL_FIELDS = ("discovered_at", "occurred_at")

    discovered_at = LocalDateTimeField(label=_("Discovered at"))
    occurred_at = LocalDateTimeField(label=_("Started at"), required=False)
    data_categories = forms.MultipleChoiceField(
        label=_("Data categories"),
        choices=DataCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    residents_by_state = forms.CharField(
        label=_("Affected residents by US state"),
        required=False,
        max_length=2000,
        help_text=_("US incidents only (HIPAA media notice): e.g. CA=120, NY=3."),
    )

    class Meta:
        model = Incident
        fields = [
            "establishment",
            "title",
            "category",
            "severity",
            "care_impact",
            "discovered_at",
            "occurred_at",
            "description",
            "source",
            "source_reference",
            "affected_establishments",
            "departments",
            "assets",
            "personal_data",
            "data_categories",
            "individuals_affected",
            "risk_to_individuals",
            "data_encrypted",
            "residents_by_state",
            "assignee",
            "root_cause",
            "lessons_learned",
            "follow_up_actions",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "root_cause": forms.Textarea(attrs={"rows": 3}),
            "lessons_learned": forms.Textarea(attrs={"rows": 3}),
            "follow_up_actions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(
        self,
        *args: Any,
        user: User,
        assignees: list[User] | None = None,
        establishments: list[Establishment] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, user=user, **kwargs)
        editing = bool(self.instance.pk)
        if editing:
            # The handling establishment, the assignee and the status have their own actions.
            for name in ("establishment", "assignee"):
                self.fields.pop(name)
        else:
            for name in ("root_cause", "lessons_learned", "follow_up_actions"):
                self.fields.pop(name)
            if establishments is not None:
                establishment = form_field(self, "establishment", forms.ModelChoiceField)
                establishment.queryset = _scoped(establishment).filter(
                    pk__in=[e.pk for e in establishments]
                )
            if assignees is not None:
                assignee = form_field(self, "assignee", forms.ModelChoiceField)
                assignee.queryset = _scoped(assignee).filter(pk__in=[u.pk for u in assignees])
            else:
                self.fields.pop("assignee")
        for name in ("departments", "assets"):
            field = form_field(self, name, forms.ModelChoiceField)
            field.queryset = _scoped(field).select_related("establishment")
            field.label_from_instance = (  # type: ignore[method-assign]
                lambda obj: scoped_label(obj, user)
            )  # Django's way to relabel one form's choices
            field.help_text = _("Only those of the handling or an affected establishment.")
        zone = self.zone_name()
        for name in self.LOCAL_FIELDS:
            self.fields[name].help_text = _zone_help(zone)
            if editing and not self.is_bound:
                self.initial[name] = wall_clock(getattr(self.instance, name), zone or "UTC")
        if editing and not self.is_bound:
            self.initial["residents_by_state"] = ", ".join(
                f"{code}={count}"
                for code, count in sorted((self.instance.residents_by_state or {}).items())
            )
        self.fields["discovered_at"].help_text = _(
            "%(zone)s Starts the regulatory clocks: when your organisation became aware of the "
            "incident."
        ) % {"zone": _zone_help(zone)}

    def zone_name(self) -> str | None:
        if self.instance.pk:
            return self.instance.establishment.timezone
        establishment = self.initial.get("establishment")
        if isinstance(establishment, Establishment):
            return establishment.timezone
        if establishment:
            found = Establishment.objects.filter(pk=establishment).first()
            return found.timezone if found else None
        return None

    def clean_residents_by_state(self) -> dict[str, int]:
        raw = self.cleaned_data.get("residents_by_state", "") or ""
        result: dict[str, int] = {}
        for part in re.split(r"[,;\n]+", raw):
            if not part.strip():
                continue
            match = _RESIDENTS.match(part)
            if match is None:
                raise ValidationError(_("Write state codes and counts like CA=120, NY=3."))
            result[match.group(1).upper()] = int(match.group(2))
        return result

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        establishment = (
            self.instance.establishment if self.instance.pk else data.get("establishment")
        )
        if establishment is not None:
            for name in self.LOCAL_FIELDS:
                if data.get(name) is not None:
                    data[name] = to_zone(data[name], establishment.timezone)
        return data

    def service_values(self) -> dict[str, Any]:
        """``cleaned_data`` as the services take it."""
        data = dict(self.cleaned_data)
        data["data_categories"] = list(data.get("data_categories") or [])
        for name in ("affected_establishments", "departments", "assets"):
            data[name] = list(data.get(name) or [])
        return data


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=_("Move to"), choices=IncidentStatus.choices)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)

    def __init__(self, *args: Any, candidates: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {str(user.pk): user for user in candidates}
        form_field(self, "assignee", forms.ChoiceField).choices = [("", _("Nobody"))] + [
            (str(user.pk), user.get_full_name() or user.get_username()) for user in candidates
        ]

    def clean_assignee(self) -> Any:
        value = self.cleaned_data.get("assignee") or ""
        return self.candidates.get(value) if value else None


class WatcherForm(AssignForm):
    def __init__(self, *args: Any, candidates: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, candidates=candidates, **kwargs)
        assignee = form_field(self, "assignee", forms.ChoiceField)
        assignee.label = _("Person")
        assignee.required = True
        # django-stubs types the choices getter as what the setter accepts; it returns a list.
        assignee.choices = list(assignee.choices)[1:]  # type: ignore[arg-type]


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=300)
    description = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    phase = forms.ChoiceField(
        label=_("Phase"), required=False, choices=[("", "—"), *IncidentStatus.choices[:-1]]
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    due_at = LocalDateTimeField(label=_("Due"), required=False)
    is_decision = forms.BooleanField(
        label=_("Decision point"),
        required=False,
        help_text=_("Completing it requires writing the decision taken."),
    )

    def __init__(self, *args: Any, candidates: list[Any], zone_name: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone_name = zone_name
        self.candidates = {str(user.pk): user for user in candidates}
        form_field(self, "owner", forms.ChoiceField).choices = [("", _("Nobody"))] + [
            (str(user.pk), user.get_full_name() or user.get_username()) for user in candidates
        ]
        self.fields["due_at"].help_text = _zone_help(zone_name)

    def clean_owner(self) -> Any:
        value = self.cleaned_data.get("owner") or ""
        return self.candidates.get(value) if value else None

    def clean_due_at(self) -> datetime | None:
        return to_zone(self.cleaned_data.get("due_at"), self.zone_name)


class TaskStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices)
    decision = forms.CharField(
        label=_("Decision taken"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=20000)


class TimelineEntryForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (TimelineKind.LOG.value, TimelineKind.LOG.label),
            (TimelineKind.DECISION.value, TimelineKind.DECISION.label),
        ],
    )
    at = LocalDateTimeField(label=_("When it happened"), required=False)
    text = forms.CharField(
        label=_("Entry"), max_length=20000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, zone_name: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone_name = zone_name
        self.fields["at"].help_text = (
            str(_zone_help(zone_name)) + " " + str(_("Leave empty for now."))
        )

    def clean_at(self) -> datetime | None:
        return to_zone(self.cleaned_data.get("at"), self.zone_name)


class ObservableForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ObservableKind.choices)
    value = forms.CharField(
        label=_("Value"), max_length=2048, help_text=_("Defanged values (hxxp, [.]) are accepted.")
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=5000)
    is_ioc = forms.BooleanField(label=_("Indicator of compromise"), required=False, initial=True)


class EvidenceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    file = forms.FileField(label=_("File"))
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    location = forms.CharField(
        label=_("Storage location"),
        required=False,
        max_length=300,
        help_text=_("Where the original is kept (safe, sealed bag…)."),
    )


class CustodyForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            (CustodyAction.TRANSFERRED.value, CustodyAction.TRANSFERRED.label),
            (CustodyAction.SEALED.value, CustodyAction.SEALED.label),
            (CustodyAction.RETURNED.value, CustodyAction.RETURNED.label),
        ],
    )
    counterpart = forms.CharField(
        label=_("Handed to / received from"), required=False, max_length=200
    )
    location = forms.CharField(label=_("Storage location"), required=False, max_length=300)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=5000,
        help_text=_("Seal number, reason for the hand-over…"),
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"), max_length=20000, widget=forms.Textarea(attrs={"rows": 3})
    )


class _AlertNumbers(SearchableSelectMultiple):
    """Posts the chosen alerts as one "12, 15" value, as the typed numbers of API clients and of
    older pages are: both reach the same check."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> str:
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name) or ""]
        return ", ".join(str(value) for value in values if value)


class AlertLinkForm(forms.Form):
    alerts = forms.CharField(
        label=_("Alerts"),
        max_length=2000,
        widget=_AlertNumbers("alerts"),
        help_text=_("Type an alert's number or words of its title, then pick it."),
    )

    def __init__(
        self,
        *args: Any,
        candidates: Sequence[tuple[int, str]] = (),
        establishments: Sequence[int] = (),
        **kwargs: Any,
    ) -> None:
        """``candidates``: the alerts offered when scripts do not run (a plain select);
        ``establishments``: those whose alerts the incident may link (the search's scope)."""
        super().__init__(*args, **kwargs)
        widget = self.fields["alerts"].widget
        assert isinstance(widget, SearchableSelectMultiple)
        widget.choices = [(str(pk), label) for pk, label in candidates]
        widget.establishments = list(establishments)

    def clean_alerts(self) -> list[int]:
        parts = [p for p in re.split(r"[\s,;#]+", self.cleaned_data["alerts"]) if p]
        if not parts or not all(p.isdigit() and len(p) < 19 for p in parts):
            raise ValidationError(_("Give alert numbers, e.g. 12, 15."))
        return [int(p) for p in parts]
