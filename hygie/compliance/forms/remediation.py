"""The remediation action form."""

from __future__ import annotations

from typing import Any

from django import forms

from hygie.compliance.forms.assessments import owner_candidates
from hygie.compliance.models import RemediationAction
from hygie.core.forms import ScopedModelForm, form_field
from hygie.core.models import Establishment
from hygie.core.widgets import IsoDateInput


class RemediationActionForm(ScopedModelForm):
    class Meta:
        model = RemediationAction
        fields = [
            "establishment",
            "title",
            "description",
            "owner",
            "due_date",
            "status",
            "link_kind",
            "link_label",
            "link_url",
        ]
        widgets = {"due_date": IsoDateInput(), "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = form_field(self, "owner", forms.ModelChoiceField)
        establishment_id = self.instance.establishment_id if self.instance.pk else None
        if establishment_id is not None:
            owner.queryset = owner_candidates(establishment_id)
            self.fields["establishment"].disabled = True
        else:
            owner.queryset = owner_candidates(
                list(Establishment.objects.visible_to(self.user).values_list("pk", flat=True))
            )
        owner.label_from_instance = (  # type: ignore[method-assign]
            lambda obj: obj.get_full_name() or obj.get_username()
        )  # Django's idiom

    def save(self, commit: bool = True) -> RemediationAction:
        action: RemediationAction = super().save(commit=False)
        if action.pk is None and self.user is not None:
            action.created_by = self.user
        if commit:
            action.save()
            self.save_m2m()
        return action
