"""Global search (autodiscovered): frameworks by name, requirements by official reference or
title, assessments by title in the user's scope."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hygie.compliance.models import Assessment, Framework, Requirement
from hygie.compliance.roles import VIEW
from hygie.core.registries import SearchHit, SearchProvider, search_providers

if TYPE_CHECKING:
    from hygie.core.models import User

MAX_HITS = 20


def search_library(user: User, text: str) -> list[SearchHit]:
    """Frameworks and requirements (the library is the installation's, not an
    establishment's)."""
    if not text or not user.can(VIEW):
        return []
    terms = text.split()[:5]
    frameworks = Framework.objects.all()
    requirements = Requirement.objects.filter(is_assessable=True).select_related("framework")
    for term in terms:
        frameworks = frameworks.filter(
            Q(name_fr__icontains=term) | Q(name_en__icontains=term) | Q(framework_id__iexact=term)
        )
        requirements = requirements.filter(
            Q(ref_id__icontains=term) | Q(title_fr__icontains=term) | Q(title_en__icontains=term)
        )
    hits = [
        SearchHit(
            framework.name,
            reverse("compliance:framework_detail", args=[framework.pk]),
            str(_("Frameworks")),
        )
        for framework in frameworks.order_by("framework_id")[:MAX_HITS]
    ]
    for requirement in requirements.order_by("framework__framework_id", "order")[:MAX_HITS]:
        hits.append(
            SearchHit(
                f"{requirement.ref_id} — {requirement.title} ({requirement.framework.name})",
                reverse("compliance:framework_detail", args=[requirement.framework_id])
                + f"#requirement-{requirement.pk}",
                str(_("Requirements")),
            )
        )
    return hits[:MAX_HITS]


def search_assessments(user: User, text: str) -> list[SearchHit]:
    if not text or not user.can(VIEW):
        return []
    queryset = Assessment.objects.visible_to(user)
    for term in text.split()[:5]:
        queryset = queryset.filter(title__icontains=term)
    return [
        SearchHit(
            assessment.title,
            reverse("compliance:assessment_detail", args=[assessment.pk]),
            str(_("Assessments")),
        )
        for assessment in queryset.order_by("-date", "-pk")[:MAX_HITS]
    ]


search_providers.register(
    "compliance.library", SearchProvider("compliance.library", _("Frameworks"), search_library)
)
search_providers.register(
    "compliance.assessments",
    SearchProvider("compliance.assessments", _("Assessments"), search_assessments),
)


def search_registers(user: User, text: str) -> list[SearchHit]:
    """Entries of the record of processing activities (name, reference) and DPIAs (title)."""
    from hygie.compliance.models import DPIA, ProcessingActivity
    from hygie.compliance.roles import VIEW_REGISTERS

    if not text or not user.can(VIEW_REGISTERS):
        return []
    activities = ProcessingActivity.objects.visible_to(user)
    dpias = DPIA.objects.visible_to(user)
    for term in text.split()[:5]:
        activities = activities.filter(Q(name__icontains=term) | Q(reference__iexact=term))
        dpias = dpias.filter(title__icontains=term)
    hits = [
        SearchHit(
            activity.name,
            reverse("compliance:processingactivity_detail", args=[activity.pk]),
            str(_("Record of processing")),
        )
        for activity in activities.order_by("name", "pk")[:MAX_HITS]
    ]
    hits += [
        SearchHit(dpia.title, reverse("compliance:dpia_detail", args=[dpia.pk]), str(_("DPIAs")))
        for dpia in dpias.order_by("-updated_at", "pk")[:MAX_HITS]
    ]
    return hits[:MAX_HITS]


search_providers.register(
    "compliance.registers",
    SearchProvider("compliance.registers", _("GDPR registers"), search_registers),
)
