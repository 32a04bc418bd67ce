"""Forms of the awareness pages; every choice of a scoped object only offers what the user sees
(shared library content included)."""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hygie.awareness.models import (
    Campaign,
    ContentSource,
    LandingPage,
    Language,
    MailTemplate,
    SendingProfile,
)
from hygie.awareness.services import profiles, templates_library
from hygie.core.forms import ScopedModelForm, form_field
from hygie.core.models import Department, Establishment, User
from hygie.core.tables import scoped_label
from hygie.core.widgets import IsoDateTimeInput, IsoTimeInput

WEEKDAYS = (
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
)
MAX_UPLOAD_BYTES = templates_library.MAX_GOPHISH_BYTES


def headers_to_text(headers: dict[str, str]) -> str:
    return "\n".join(f"{name}: {value}" for name, value in (headers or {}).items())


def text_to_headers(text: str) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon:
            raise ValidationError(_('Write one header per line as "Name: value".'))
        headers[name.strip()] = value.strip()
    return headers


class SendingProfileForm(ScopedModelForm):
    """A relay; the password is write-only (blank keeps the stored one)."""

    password = forms.CharField(
        label=_("Password"),
        required=False,
        max_length=500,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted and never shown again. Leave blank to keep it."),
    )
    clear_password = forms.BooleanField(label=_("Remove the stored password"), required=False)
    headers_text = forms.CharField(
        label=_("Custom headers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            'One "Name: value" per line, for the mail gateway to allow-list the simulation. '
            "Hygie always adds X-Hygie-Simulation."
        ),
    )

    class Meta:
        model = SendingProfile
        fields = [
            "establishment",
            "name",
            "host",
            "port",
            "security",
            "username",
            "envelope_from",
            "header_from",
            "rate_per_minute",
            "is_active",
        ]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.initial.setdefault("headers_text", headers_to_text(self.instance.custom_headers))
        if not self.instance.password:
            self.fields.pop("clear_password")
        else:
            self.fields["password"].help_text = _(
                "A password is stored (encrypted, never shown). Type a new one to replace it."
            )

    def clean_headers_text(self) -> dict[str, str]:
        headers = text_to_headers(self.cleaned_data.get("headers_text", ""))
        try:
            return profiles.clean_headers(headers)
        except ValidationError as error:
            raise ValidationError(error.messages) from None

    def save(self, commit: bool = True) -> SendingProfile:
        profile: SendingProfile = super().save(commit=False)
        profile.custom_headers = self.cleaned_data.get("headers_text") or {}
        if self.cleaned_data.get("clear_password"):
            profile.password = ""
        elif self.cleaned_data.get("password"):
            profile.password = profiles.seal_secret(self.cleaned_data["password"])
        if commit:
            profile.save()
        return profile


class _Establishmentless(ScopedModelForm):
    """Content an establishment writes for itself (the shared library is read-only)."""

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        field = form_field(self, "establishment", forms.ModelChoiceField)
        field.required = True
        if self.instance.pk:
            field.disabled = True


class MailTemplateForm(_Establishmentless):
    clues_text = forms.CharField(
        label=_("Clues"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            'The red flags of this mail, one per line as "Title: explanation"; shown to a '
            "recipient after a click."
        ),
    )

    class Meta:
        model = MailTemplate
        fields = [
            "establishment",
            "name",
            "language",
            "sender_name",
            "subject",
            "html",
            "text",
            "difficulty",
        ]
        widgets = {"html": forms.Textarea(attrs={"rows": 12}), "text": forms.Textarea()}
        help_texts = {
            "html": _(
                "Variables: <code>{{ first_name }}</code>, <code>{{ last_name }}</code>, "
                "<code>{{ department }}</code>, <code>{{ establishment }}</code>, "
                "<code>{{ sender_name }}</code>, <code>{{ tracking_link }}</code>, "
                "<code>{{ date }}</code>. Every link leads to the tracking link."
            )
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.initial.setdefault(
            "clues_text",
            "\n".join(
                f"{clue.get('title', '')}: {clue.get('explanation', '')}"
                for clue in (self.instance.clues or [])
                if isinstance(clue, dict)
            ),
        )

    def clean_clues_text(self) -> list[dict[str, str]]:
        clues = []
        for line in self.cleaned_data.get("clues_text", "").splitlines():
            title, _colon, explanation = line.partition(":")
            if title.strip():
                clues.append({"title": title.strip()[:200], "explanation": explanation.strip()})
        return clues[:20]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        probe = MailTemplate(
            subject=data.get("subject", ""), html=data.get("html", ""), text=data.get("text", "")
        )
        try:
            templates_library.check_template(probe)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        return data

    def save(self, commit: bool = True) -> MailTemplate:
        template: MailTemplate = super().save(commit=False)
        template.clues = self.cleaned_data.get("clues_text") or []
        if not template.pk:
            template.source = ContentSource.CUSTOM
        else:
            template.version += 1
        if commit:
            template.save()
        return template


class LandingPageForm(_Establishmentless):
    class Meta:
        model = LandingPage
        fields = ["establishment", "name", "language", "html", "redirect_url"]
        widgets = {"html": forms.Textarea(attrs={"rows": 12})}
        help_texts = {
            "html": _(
                "Scripts, styles and outside links are removed when the page is shown; a form "
                "records only that it was submitted and its field names, never what was typed."
            )
        }


class CampaignForm(ScopedModelForm):
    working_days = forms.TypedMultipleChoiceField(
        label=_("Working days"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        initial=[0, 1, 2, 3, 4],
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), initial="Europe/Paris")

    class Meta:
        model = Campaign
        fields = [
            "establishment",
            "name",
            "description",
            "sending_profile",
            "template_a",
            "template_b",
            "landing_page",
            "window_start",
            "window_end",
            "working_hours_start",
            "working_hours_end",
            "working_days",
            "time_zone",
            "enrol_module",
        ]
        widgets = {
            "window_start": IsoDateTimeInput(),
            "window_end": IsoDateTimeInput(),
            "working_hours_start": IsoTimeInput(),
            "working_hours_end": IsoTimeInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        templates_library.ensure_library()
        super().__init__(*args, user=user, **kwargs)
        form_field(self, "time_zone", forms.ChoiceField).choices = [
            (zone, zone) for zone in sorted(available_timezones())
        ]
        if self.instance.pk:
            self.fields["establishment"].disabled = True
        else:
            # Working hours are the establishment's: its time zone unless chosen otherwise.
            wanted = str(self.initial.get("establishment") or "")[:12]
            chosen = (
                Establishment.objects.visible_to(user).filter(pk=int(wanted)).first()
                if wanted.isdecimal() and wanted.isascii()
                else None
            )
            if chosen is not None and "time_zone" not in self.initial:
                self.initial["time_zone"] = chosen.timezone

    def save(self, commit: bool = True) -> Campaign:
        campaign: Campaign = super().save(commit=False)
        if campaign.pk is None and campaign.created_by_id is None:
            campaign.created_by = self.user
        if commit:
            campaign.save()
        return campaign

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        establishment = data.get("establishment")
        start, end = data.get("window_start"), data.get("window_end")
        if start and end and end <= start:
            self.add_error("window_end", _("The window ends before it starts."))
        day_start, day_end = data.get("working_hours_start"), data.get("working_hours_end")
        if day_start and day_end and day_end <= day_start:
            self.add_error("working_hours_end", _("The working day ends before it starts."))
        if establishment is not None:
            for name in ("sending_profile", "template_a", "template_b", "landing_page"):
                chosen = data.get(name)
                owner = getattr(chosen, "establishment_id", None)
                if chosen is not None and owner is not None and owner != establishment.pk:
                    self.add_error(name, _("This belongs to another establishment."))
        return data


class TargetsForm(forms.Form):
    """Recipients from the people directory (filters) or a CSV file."""

    establishments = forms.ModelMultipleChoiceField(
        label=_("Establishments"), queryset=Establishment.objects.none(), required=False
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"), queryset=Department.objects.none(), required=False
    )
    professions = forms.CharField(
        label=_("Professions"),
        required=False,
        max_length=1000,
        help_text=_("Separated by commas; empty for every profession."),
    )
    csv_file = forms.FileField(
        label=_("Or a CSV file"),
        required=False,
        help_text=_(
            "Columns: <code>email</code> (required), <code>first_name</code>, "
            "<code>last_name</code>, <code>department</code>, <code>profession</code>, "
            "<code>language</code>."
        ),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(
            self, "establishments", forms.ModelMultipleChoiceField
        ).queryset = Establishment.objects.visible_to(user)
        departments = form_field(self, "departments", forms.ModelMultipleChoiceField)
        departments.queryset = Department.objects.visible_to(user).select_related("establishment")
        # Three "Urgences" in three establishments: each named with its establishment.
        departments.label_from_instance = lambda obj: scoped_label(obj, user)  # type: ignore[method-assign]

    def clean_csv_file(self) -> Any:
        upload = self.cleaned_data.get("csv_file")
        if upload is not None and upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is too large (5 MB at most)."))
        return upload

    def professions_list(self) -> list[str]:
        text = self.cleaned_data.get("professions", "")
        return [part.strip() for part in text.split(",") if part.strip()]


class GoPhishImportForm(forms.Form):
    establishment = forms.ModelChoiceField(
        label=_("Establishment"), queryset=Establishment.objects.none()
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    file = forms.FileField(
        label=_("GoPhish JSON export"),
        required=False,
        help_text=_("Templates and landing pages as GoPhish's API or export gives them."),
    )
    content = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = form_field(self, "establishment", forms.ModelChoiceField)
        field.queryset = Establishment.objects.visible_to(user)
        visible = list(field.queryset[:2])
        if len(visible) == 1:
            self.initial.setdefault("establishment", visible[0].pk)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_UPLOAD_BYTES:
                raise ValidationError(_("The file is too large (5 MB at most)."))
            raw = upload.read()
            try:
                data["content"] = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValidationError(_("The file is not UTF-8 JSON.")) from None
        if not data.get("content"):
            raise ValidationError(_("Choose a GoPhish JSON file."))
        if len(data["content"]) > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is too large (5 MB at most)."))
        return data
