"""Compliance evidence from the clinical inventory (registered in the probe registry).

Control ids belong to Hygie's control catalogue: ``hygie.assets.medical_devices`` (every
medical device inventoried with what identifies its software), ``hygie.vulnerability.device_
management`` (known exploited vulnerabilities on life-sustaining devices dealt with within 14
days) and ``hygie.assets.end_of_support`` (devices on an operating system out of support) and
``hygie.network.segmentation`` (no flow outside the medical networks' zone policy left open).
Summaries are msgids filled with ``params``, translated when shown.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

from hygie.core.models import Establishment
from hygie.core.registries import Probe, ProbeResult, probes
from hygie.devices.services import stats

# At least this share of medical-device assets described (manufacturer, model, version).
COVERAGE_TARGET = 0.9
# At most this share of devices on an operating system out of support.
UNSUPPORTED_TARGET = 0.1


def inventory_coverage(establishment: Establishment) -> ProbeResult:
    """Medical-device assets with a device record naming manufacturer, model and version."""
    found = stats.coverage([establishment]).get(establishment.pk)
    if found is None or not found.medical_assets:
        return ProbeResult.translatable(
            "not_applicable",
            gettext_noop("No medical-device asset is inventoried for this establishment."),
            data={"medical_assets": 0},
        )
    percent = round(100 * found.ratio)
    data = {
        "medical_assets": found.medical_assets,
        "with_device": found.with_device,
        "complete": found.complete,
        "percent": percent,
    }
    params = {"complete": found.complete, "total": found.medical_assets, "percent": percent}
    if found.ratio >= COVERAGE_TARGET:
        return ProbeResult.translatable(
            "pass",
            gettext_noop(
                "%(complete)s of %(total)s medical devices (%(percent)s %%) are described with "
                "manufacturer, model and version."
            ),
            params,
            data,
        )
    return ProbeResult.translatable(
        "fail",
        gettext_noop(
            "Only %(complete)s of %(total)s medical devices (%(percent)s %%) are described with "
            "manufacturer, model and version (target: 90 %%)."
        ),
        params,
        data,
    )


def kev_remediated_on_life_sustaining(establishment: Establishment) -> ProbeResult:
    """No known exploited vulnerability left open more than 14 days on a life-sustaining
    device."""
    count = stats.stale_kev_on_life_sustaining([establishment]).get(establishment.pk, 0)
    if count:
        return ProbeResult.translatable(
            "fail",
            gettext_noop(
                "%(count)s known exploited vulnerability(ies) open for more than 14 days on "
                "life-sustaining devices."
            ),
            {"count": count},
            {"stale_kev": count},
        )
    return ProbeResult.translatable(
        "pass",
        gettext_noop(
            "No known exploited vulnerability is open for more than 14 days on a "
            "life-sustaining device."
        ),
        data={"stale_kev": 0},
    )


def unsupported_os_share(establishment: Establishment) -> ProbeResult:
    """The share of devices on an operating system out of support stays at most 10 %."""
    bad, total = stats.unsupported_os([establishment]).get(establishment.pk, (0, 0))
    if not total:
        return ProbeResult.translatable(
            "not_applicable",
            gettext_noop("No medical device is inventoried for this establishment."),
            data={"devices": 0},
        )
    percent = round(100 * bad / total)
    params = {"count": bad, "total": total, "percent": percent}
    data = {"unsupported": bad, "devices": total, "percent": percent}
    if bad / total <= UNSUPPORTED_TARGET:
        return ProbeResult.translatable(
            "pass",
            gettext_noop(
                "%(count)s of %(total)s medical devices (%(percent)s %%) run an operating "
                "system out of support."
            ),
            params,
            data,
        )
    return ProbeResult.translatable(
        "fail",
        gettext_noop(
            "%(count)s of %(total)s medical devices (%(percent)s %%) run an operating system "
            "out of support (target: at most 10 %%)."
        ),
        params,
        data,
    )


def segmentation_respected(establishment: Establishment) -> ProbeResult:
    """A zone policy exists and no flow outside it is still open (its alert neither closed nor
    a false positive)."""
    counts = stats.open_violations([establishment])[establishment.pk]
    data = {"policy": bool(counts["policy"]), "open": counts["total"]}
    data.update(internet=counts["internet"], critical=counts["critical"])
    if not counts["policy"]:
        return ProbeResult.translatable(
            "fail" if counts["total"] else "not_applicable",
            gettext_noop("No segmentation policy is defined for the medical networks."),
            data=data,
        )
    if counts["total"]:
        return ProbeResult.translatable(
            "fail",
            gettext_noop(
                "%(count)s flow(s) outside the segmentation policy still open, %(internet)s of "
                "them to the internet."
            ),
            {"count": counts["total"], "internet": counts["internet"]},
            data,
        )
    return ProbeResult.translatable(
        "pass",
        gettext_noop("A segmentation policy is defined and no flow outside it is open."),
        data=data,
    )


probes.register(
    "devices.inventory_coverage",
    Probe(
        id="devices.inventory_coverage",
        title=gettext_noop("Medical devices inventoried with manufacturer, model and version"),
        controls=("hygie.assets.medical_devices",),
        run=inventory_coverage,
    ),
)
probes.register(
    "devices.kev_life_sustaining",
    Probe(
        id="devices.kev_life_sustaining",
        title=gettext_noop(
            "Known exploited vulnerabilities on life-sustaining devices dealt with in 14 days"
        ),
        controls=("hygie.vulnerability.device_management",),
        run=kev_remediated_on_life_sustaining,
    ),
)
probes.register(
    "devices.unsupported_os",
    Probe(
        id="devices.unsupported_os",
        title=gettext_noop("Medical devices on an operating system out of support"),
        controls=("hygie.assets.end_of_support",),
        run=unsupported_os_share,
    ),
)
probes.register(
    "devices.segmentation",
    Probe(
        id="devices.segmentation",
        title=gettext_noop("Medical network flows within the segmentation policy"),
        controls=("hygie.network.segmentation",),
        run=segmentation_respected,
    ),
)
