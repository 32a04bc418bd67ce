"""Forms of the GDPR register pages: an entry of the record of processing activities, a DPIA's
context, its fundamental principles, one feared event, and the DPO's opinion."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hygie.compliance.engine import dpia as engine
from hygie.compliance.models.registers import (
    DPIA,
    PRINCIPLE_GROUP_LABELS,
    PRINCIPLE_LABELS,
    DPIACriterion,
    DPIARisk,
    DPODecision,
    Evaluation,
    ProcessingActivity,
)
from hygie.core.forms import ScopedModelForm

_TEXT = {"rows": 3}


def _textareas(*names: str) -> dict[str, forms.Widget]:
    return {name: forms.Textarea(attrs=_TEXT) for name in names}


class ProcessingActivityForm(ScopedModelForm):
    dpia_criteria = forms.MultipleChoiceField(
        label=_("DPIA criteria met"),
        choices=DPIACriterion.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Two criteria or more: a DPIA is required, as a rule (CNIL, EDPB)."),
    )
    # The preset the entry starts from (kept to show the preset's note on the entry's page).
    preset_key = forms.SlugField(required=False, max_length=50, widget=forms.HiddenInput)

    class Meta:
        model = ProcessingActivity
        fields = (
            "establishment",
            "name",
            "reference",
            "status",
            "controller",
            "joint_controllers",
            "dpo",
            "purposes",
            "legal_basis",
            "legal_basis_details",
            "has_special_categories",
            "special_category_exception",
            "data_subjects",
            "data_categories",
            "special_categories",
            "data_source",
            "recipients_internal",
            "recipients_external",
            "processors",
            "transfers_outside_eu",
            "transfers",
            "retention",
            "security_measures",
            "dpia_criteria",
        )
        widgets = _textareas(
            "controller",
            "joint_controllers",
            "dpo",
            "purposes",
            "legal_basis_details",
            "data_subjects",
            "data_categories",
            "special_categories",
            "data_source",
            "recipients_internal",
            "recipients_external",
            "processors",
            "transfers",
            "retention",
            "security_measures",
        )

    def save(self, commit: bool = True) -> Any:
        instance = super().save(commit=False)
        if not instance.pk and self.cleaned_data.get("preset_key"):
            instance.preset = self.cleaned_data["preset_key"]
        if commit:
            instance.save()
        return instance


class DPIAForm(ScopedModelForm):
    class Meta:
        model = DPIA
        fields = (
            "establishment",
            "processing",
            "title",
            "description",
            "data_description",
            "lifecycle",
            "supports",
            "action_plan",
        )
        widgets = _textareas(
            "description", "data_description", "lifecycle", "supports", "action_plan"
        )

    def save(self, commit: bool = True) -> Any:
        instance = super().save(commit=False)
        if instance.pk and self.has_changed():
            instance.reopen()
        if commit:
            instance.save()
        return instance


class DPIAPrinciplesForm(forms.Form):
    """Each fundamental principle: an evaluation and a comment (the measures that meet it)."""

    def __init__(self, *args: Any, dpia: DPIA, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for principle in engine.PRINCIPLES:
            answer = dpia.principle(principle.key)
            label = PRINCIPLE_LABELS[principle.key]
            self.fields[f"{principle.key}__evaluation"] = forms.ChoiceField(
                label=label,
                choices=Evaluation.choices,
                required=False,
                initial=answer["evaluation"],
                help_text=_("GDPR art. %(article)s") % {"article": principle.article},
            )
            self.fields[f"{principle.key}__comment"] = forms.CharField(
                label=_("Comment: %(principle)s") % {"principle": label},
                required=False,
                max_length=5000,
                initial=answer["comment"],
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def groups(self) -> list[tuple[str, list[tuple[forms.BoundField, forms.BoundField]]]]:
        grouped: dict[str, list[tuple[forms.BoundField, forms.BoundField]]] = {}
        for principle in engine.PRINCIPLES:
            grouped.setdefault(str(PRINCIPLE_GROUP_LABELS[principle.group]), []).append(
                (self[f"{principle.key}__evaluation"], self[f"{principle.key}__comment"])
            )
        return list(grouped.items())

    def answers(self) -> dict[str, tuple[str, str]]:
        return {
            key: (
                self.cleaned_data.get(f"{key}__evaluation") or "",
                self.cleaned_data.get(f"{key}__comment") or "",
            )
            for key in engine.PRINCIPLE_KEYS
        }


class DPIARiskForm(forms.ModelForm):
    class Meta:
        model = DPIARisk
        fields = (
            "sources",
            "threats",
            "impacts",
            "existing_measures",
            "planned_measures",
            "severity",
            "likelihood",
            "residual_severity",
            "residual_likelihood",
        )
        widgets = _textareas(
            "sources", "threats", "impacts", "existing_measures", "planned_measures"
        )


class DPIAValidationForm(forms.Form):
    dpo_decision = forms.ChoiceField(
        label=_("DPO opinion"),
        choices=[choice for choice in DPODecision.choices if choice[0]],
    )
    dpo_opinion = forms.CharField(
        label=_("Reasons, reservations, conditions"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
