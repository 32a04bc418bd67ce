"""Exercise forms: planning, the live log's entries, the after-action review."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core.forms import form_field
from hygie.core.models import Establishment, User
from hygie.core.widgets import IsoDateTimeInput
from hygie.response.choices import ExerciseEntryKind, ExerciseStatus
from hygie.response.engine.scenarios import MAX_SCENARIO_BYTES
from hygie.response.models import Exercise
from hygie.response.services import exercises as service


class ExercisePlanForm(forms.Form):
    establishment = forms.ModelChoiceField(
        queryset=Establishment.objects.none(), label=gettext_lazy("Establishment")
    )
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Leave empty to use the scenario's title."),
    )
    scenario_key = forms.ChoiceField(label=gettext_lazy("Scenario"), required=False)
    file = forms.FileField(
        label=gettext_lazy("Or your own scenario (YAML)"),
        required=False,
        help_text=gettext_lazy(
            "A scenario file in Hygie's format (see the exercises guide); it "
            "replaces the scenario chosen above."
        ),
    )
    planned_for = forms.DateTimeField(label=gettext_lazy("Planned for"), widget=IsoDateTimeInput())
    participants = forms.ModelMultipleChoiceField(
        queryset=Establishment.objects.none(),
        required=False,
        label=gettext_lazy("Participants with a Hygie account"),
    )
    other_participants = forms.CharField(
        label=gettext_lazy("Other participants"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("People without a Hygie account: one per line, name and function."),
    )
    objectives = forms.CharField(
        label=gettext_lazy("Objectives"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Leave empty to use the scenario's objectives."),
    )

    def __init__(
        self, *args: Any, user: User, exercise: Exercise | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.exercise = exercise
        form_field(
            self, "establishment", forms.ModelChoiceField
        ).queryset = Establishment.objects.visible_to(user).order_by("name")
        participants = form_field(self, "participants", forms.ModelMultipleChoiceField)
        participants.queryset = service.participant_candidates(
            exercise.establishment if exercise else None, user
        )
        participants.label_from_instance = (  # type: ignore[method-assign]
            lambda obj: obj.get_full_name() or obj.get_username()
        )  # Django's idiom
        form_field(self, "scenario_key", forms.ChoiceField).choices = [
            ("", "—"),
            *service.scenario_choices(),
        ]
        if exercise is not None:
            # The scenario and establishment are fixed once planned (the frozen script).
            for name in ("establishment", "scenario_key", "file"):
                del self.fields[name]
            if exercise.status != ExerciseStatus.PLANNED:
                del self.fields["planned_for"]
                del self.fields["participants"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        upload = data.get("file")
        if upload is not None:
            raw = upload.read(MAX_SCENARIO_BYTES + 1)
            if len(raw) > MAX_SCENARIO_BYTES:
                self.add_error("file", _("The scenario file is too large."))
            else:
                try:
                    data["scenario_source"] = raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    self.add_error("file", _("The scenario file must be UTF-8 text."))
        elif self.exercise is None and not data.get("scenario_key"):
            self.add_error("scenario_key", _("Choose a scenario or upload one."))
        return data


class EntryForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[
            (ExerciseEntryKind.DECISION, gettext_lazy("Decision")),
            (ExerciseEntryKind.OBSERVATION, gettext_lazy("Observation")),
        ],
    )
    text = forms.CharField(
        label=gettext_lazy("What was decided or observed"),
        max_length=service.MAX_ENTRY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AfterActionForm(forms.ModelForm):
    class Meta:
        model = Exercise
        fields = ["summary", "strengths", "improvements", "action_plan"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 6})
            for name in ("summary", "strengths", "improvements", "action_plan")
        }
        help_texts = {
            "summary": gettext_lazy("How the exercise went, in a few sentences."),
            "action_plan": gettext_lazy("One action per line: what, who, by when."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["summary"].required = True
