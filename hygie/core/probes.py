"""Compliance evidence the core computes from live data (registered in the probe registry).

Control ids belong to Hygie's own small control catalogue; framework files (compliance module)
map their requirements onto them, so adding a framework never means editing a probe.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_noop
from django_otp.plugins.otp_totp.models import TOTPDevice

from hygie.core.audit import verify_chain
from hygie.core.models import Asset, Establishment, User
from hygie.core.registries import Probe, ProbeResult, probes
from hygie.core.roles import PRIVILEGED_ROLES


def mfa_coverage(establishment: Establishment) -> ProbeResult:
    """Share of active privileged accounts of the establishment with a confirmed second factor."""
    accounts = (
        User.objects.filter(is_active=True)
        .filter(Q(role__in=PRIVILEGED_ROLES) | Q(is_superuser=True))
        .filter(Q(establishments=establishment) | Q(has_all_establishments=True))
        .distinct()
    )
    total = accounts.count()
    if total == 0:
        return ProbeResult(
            "not_applicable", "No privileged account is attached to this establishment."
        )
    enrolled = accounts.filter(
        pk__in=TOTPDevice.objects.filter(confirmed=True).values("user_id")
    ).count()
    missing = sorted(
        accounts.exclude(
            pk__in=TOTPDevice.objects.filter(confirmed=True).values("user_id")
        ).values_list("username", flat=True)
    )
    status = "pass" if enrolled == total else ("partial" if enrolled else "fail")
    return ProbeResult(
        status,
        f"{enrolled} of {total} privileged accounts use a second factor.",
        {"enrolled": enrolled, "total": total, "without_mfa": missing},
    )


def audit_chain_intact(establishment: Establishment) -> ProbeResult:
    """The platform's audit trail verifies end to end (tamper evidence for every establishment)."""
    report = verify_chain()
    if report.is_intact:
        return ProbeResult(
            "pass",
            f"Audit trail intact: {report.checked} entries verified.",
            {"checked": report.checked},
        )
    problem = report.problem
    assert problem is not None
    return ProbeResult(
        "fail",
        f"Audit trail broken at entry #{problem.sequence} ({problem.kind}, {problem.check} check).",
        {
            "checked": report.checked,
            "sequence": problem.sequence,
            "kind": problem.kind,
            "check": problem.check,
        },
    )


def asset_inventory_completeness(establishment: Establishment) -> ProbeResult:
    """Assets with an owner department and a network zone: an inventory someone can act on."""
    assets = Asset.objects.filter(establishment=establishment)
    total = assets.count()
    if total == 0:
        return ProbeResult("fail", "No asset is inventoried for this establishment.", {"total": 0})
    complete = assets.exclude(department__isnull=True).exclude(network_zone="").count()
    ratio = complete / total
    status = "pass" if ratio >= 0.95 else ("partial" if ratio >= 0.5 else "fail")
    return ProbeResult(
        status,
        f"{complete} of {total} assets have an owner department and a network zone.",
        {"complete": complete, "total": total},
    )


probes.register(
    "core.mfa_coverage",
    Probe(
        id="core.mfa_coverage",
        title=gettext_noop("Second factor on privileged accounts"),
        controls=("hygie.identity.mfa",),
        run=mfa_coverage,
    ),
)
probes.register(
    "core.audit_chain_intact",
    Probe(
        id="core.audit_chain_intact",
        title=gettext_noop("Tamper-evident audit trail verifies"),
        controls=("hygie.logging.integrity",),
        run=audit_chain_intact,
    ),
)
probes.register(
    "core.asset_inventory_completeness",
    Probe(
        id="core.asset_inventory_completeness",
        title=gettext_noop("Asset inventory is actionable"),
        controls=("hygie.assets.inventory",),
        run=asset_inventory_completeness,
    ),
)
