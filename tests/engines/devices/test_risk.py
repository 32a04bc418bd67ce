"""The clinical risk engine: explainable factors, ordering by clinical consequence, CVSS
versions through the ``cvss`` library, compensating controls capped."""

from __future__ import annotations

import pytest

from hygie.devices.engine.risk import (
    DeviceContext,
    Vulnerability,
    assess,
    device_risk,
    level_of,
    score_vector,
)

CRITICAL_NET = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"


def test_vectors_of_every_version_are_scored():
    assert score_vector(CRITICAL_NET).base_score == 9.8
    assert score_vector("CVSS:3.0/AV:A/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H").attack_vector == "A"
    v4 = score_vector("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
    assert v4.version == "4.0" and v4.base_score == 9.3
    assert score_vector("AV:N/AC:L/Au:N/C:P/I:P/A:P").base_score == 7.5
    assert score_vector("CVSS:3.1/AV:X") is None and score_vector("") is None


def test_breakdown_names_every_factor():
    risk = assess(
        Vulnerability(CRITICAL_NET, kev=True, epss=0.42),
        DeviceContext(
            "life_sustaining", True, True, "clinical", compensating_controls=("hardened",)
        ),
    )
    components = {factor.component for factor in risk.factors}
    assert components == {"exploitability", "exposure", "impact", "controls"}
    labels = [factor.label.en for factor in risk.factors]
    assert {"CVSS", "EPSS", "KEV", "Network zone", "Clinical function"} <= set(labels)
    assert risk.exploitability >= 0.8 and risk.impact == 1.0 and risk.reduction == 0.1
    data = risk.to_dict()
    assert data["factors"][0]["label"] == {"fr": "CVSS", "en": "CVSS"}
    assert all(factor.label.fr and factor.detail.fr for factor in risk.factors)


def test_clinical_consequence_orders_the_same_flaw():
    flaw = Vulnerability(CRITICAL_NET)
    ventilator = assess(flaw, DeviceContext("life_sustaining", True, network_zone="clinical"))
    analyser = assess(flaw, DeviceContext("laboratory", network_zone="clinical"))
    printer = assess(flaw, DeviceContext("non_clinical", network_zone="clinical"))
    assert ventilator.score > analyser.score > printer.score


def test_kev_and_exposure_raise_the_score_controls_lower_it():
    context = DeviceContext("therapeutic", network_zone="medical")
    base = assess(Vulnerability(CRITICAL_NET), context).score
    assert assess(Vulnerability(CRITICAL_NET, kev=True), context).score > base
    exposed = DeviceContext("therapeutic", network_zone="medical", internet_reachable=True)
    assert assess(Vulnerability(CRITICAL_NET), exposed).score > base
    every = tuple(
        [
            "segmented",
            "firewall_allowlist",
            "no_internet",
            "remote_access_controlled",
            "hardened",
            "monitored",
            "usb_locked",
            "unknown",
        ]
    )
    controlled = assess(
        Vulnerability(CRITICAL_NET),
        DeviceContext("therapeutic", network_zone="medical", compensating_controls=every),
    )
    assert controlled.reduction == 0.5 and controlled.score == pytest.approx(base / 2, abs=0.1)


def test_physical_access_flaws_weigh_less_than_network_ones():
    context = DeviceContext("life_sustaining", network_zone="clinical")
    network = assess(Vulnerability(CRITICAL_NET), context)
    physical = assess(Vulnerability("CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), context)
    assert physical.score < network.score


def test_unknown_cvss_is_assumed_medium_and_said():
    risk = assess(Vulnerability(), DeviceContext())
    assert any("assumed" in factor.detail.en for factor in risk.factors)


def test_device_risk_and_levels():
    assert device_risk([]).score == 0
    risk = device_risk([60, 30, 10], os_unsupported=True)
    assert risk.score == 69 and risk.level == "high"
    assert device_risk([99, 99, 99, 99, 99, 99, 99]).score == 100
    assert [level_of(s) for s in (80, 55, 35, 5)] == ["critical", "high", "medium", "low"]
