"""Privacy's panel on the DPO's landing page: the PHI inventory, per establishment."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Count, Max, Q
from django.utils.translation import gettext_lazy

from hygie.core.choices import Role
from hygie.core.models import Establishment, User
from hygie.core.registries import LandingPanel, landing_panels
from hygie.privacy.choices import RunStatus, TriageStatus
from hygie.privacy.models import PHIFinding, ScanRun
from hygie.privacy.roles import VIEW_FINDINGS


def phi_inventory(user: User) -> Mapping[str, Any] | None:
    """Patient data still present, to triage and to remediate, and the last completed scan of
    each establishment the user sees (three queries whatever their number)."""
    establishments = list(Establishment.objects.visible_to(user).order_by("name"))
    if not establishments:
        return None
    counts: dict[int, dict[str, int]] = {
        row["establishment"]: {
            "present": row["present"],
            "untriaged": row["untriaged"],
            "to_remediate": row["to_remediate"],
        }
        for row in PHIFinding.objects.visible_to(user)
        .filter(is_present=True)
        .order_by()
        .values("establishment")
        .annotate(
            present=Count("pk"),
            untriaged=Count("pk", filter=Q(triage_status=TriageStatus.UNTRIAGED)),
            to_remediate=Count("pk", filter=Q(triage_status=TriageStatus.TO_REMEDIATE)),
        )
    }
    last_scans = dict(
        ScanRun.objects.visible_to(user)
        .filter(status=RunStatus.SUCCEEDED)
        .order_by()
        .values("establishment")
        .annotate(last=Max("finished_at"))
        .values_list("establishment", "last")
    )
    rows = [
        {
            "establishment": establishment,
            "present": counts.get(establishment.pk, {}).get("present", 0),
            "untriaged": counts.get(establishment.pk, {}).get("untriaged", 0),
            "to_remediate": counts.get(establishment.pk, {}).get("to_remediate", 0),
            "last_scan": last_scans.get(establishment.pk),
        }
        for establishment in establishments
    ]
    return {"rows": rows, "untriaged_value": TriageStatus.UNTRIAGED}


landing_panels.register(
    "privacy.phi_inventory",
    LandingPanel(
        id="privacy.phi_inventory",
        title=gettext_lazy("Patient data inventory"),
        order=200,
        roles=frozenset({Role.DPO}),
        template="privacy/landing/_phi_inventory.html",
        context=phi_inventory,
        capability=VIEW_FINDINGS,
    ),
)
