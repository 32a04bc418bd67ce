"""Forms of the framework library and of assessments: import, create, edit, answer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from hygie.compliance.choices import AnswerStatus, AssessmentStatus
from hygie.compliance.models import Answer, Assessment, Framework
from hygie.compliance.services.library import FORMAT_CISO_ASSISTANT, FORMAT_HYGIE
from hygie.core.forms import form_field
from hygie.core.models import Establishment, User
from hygie.core.widgets import IsoDateInput


class FrameworkImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Framework file (YAML)"))
    file_format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[
            (FORMAT_HYGIE, gettext_lazy("Hygie framework file")),
            (FORMAT_CISO_ASSISTANT, gettext_lazy("CISO Assistant library")),
        ],
        initial=FORMAT_HYGIE,
    )


class AssessmentCreateForm(forms.Form):
    establishment = forms.ModelChoiceField(
        queryset=Establishment.objects.none(), label=gettext_lazy("Establishment")
    )
    framework = forms.ModelChoiceField(
        queryset=Framework.objects.none(), label=gettext_lazy("Framework")
    )
    date = forms.DateField(label=gettext_lazy("Date"), widget=IsoDateInput())
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Leave empty for “framework — establishment — date”."),
    )
    scope = forms.CharField(
        label=gettext_lazy("Scope"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        establishments = Establishment.objects.visible_to(user).order_by("name")
        form_field(self, "establishment", forms.ModelChoiceField).queryset = establishments
        if establishments.count() == 1 and not self.initial.get("establishment"):
            self.initial["establishment"] = establishments.first()
        framework = form_field(self, "framework", forms.ModelChoiceField)
        framework.queryset = Framework.objects.order_by("framework_id")
        framework.label_from_instance = (  # type: ignore[method-assign]
            lambda obj: obj.name
        )  # Django's idiom


class AssessmentEditForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ["title", "date", "status", "scope"]
        widgets = {"date": IsoDateInput(), "scope": forms.Textarea(attrs={"rows": 3})}

    status = forms.ChoiceField(choices=AssessmentStatus.choices, label=gettext_lazy("Status"))


class AnswerForm(forms.Form):
    status = forms.ChoiceField(choices=AnswerStatus.choices, label=gettext_lazy("Status"))
    justification = forms.CharField(
        label=gettext_lazy("Justification"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Required when not applicable, or when you answer otherwise than proposed."
        ),
    )
    maturity = forms.TypedChoiceField(
        label=gettext_lazy("Maturity"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *[(str(level), str(level)) for level in range(6)]],
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label=gettext_lazy("Owner")
    )
    due_date = forms.DateField(
        label=gettext_lazy("Due date"), required=False, widget=IsoDateInput()
    )
    comments = forms.CharField(
        label=gettext_lazy("Comments"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, answer: Answer, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "status": answer.status,
                "justification": answer.justification,
                "maturity": answer.maturity,
                "owner": answer.owner_id,
                "due_date": answer.due_date,
                "comments": answer.comments,
            },
        )
        super().__init__(*args, **kwargs)
        self.auto_id = f"answer-{answer.pk}-%s"
        owner = form_field(self, "owner", forms.ModelChoiceField)
        owner.queryset = owner_candidates(answer.assessment.establishment_id)
        owner.label_from_instance = (  # type: ignore[method-assign]
            lambda obj: obj.get_full_name() or obj.get_username()
        )  # Django's idiom


def owner_candidates(establishment_ids: int | list[int]) -> Any:
    """Active users who see the establishment(s) (an owner must be able to open the page)."""
    from django.db.models import Q

    ids = [establishment_ids] if isinstance(establishment_ids, int) else establishment_ids
    return (
        User.objects.filter(is_active=True)
        .filter(Q(establishments__in=ids) | Q(has_all_establishments=True))
        .distinct()
        .order_by("last_name", "username")
    )


class EvidenceUploadForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    file = forms.FileField(label=gettext_lazy("File"))
