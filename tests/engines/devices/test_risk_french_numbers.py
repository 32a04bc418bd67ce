"""The clinical risk's French texts write numbers the French way (decimal comma, a narrow no-break
space before %), the English ones the English way: '64,5' / '64.5', '61,0 %' / '61.0%'."""

from __future__ import annotations

from hygie.devices.engine.risk import DeviceContext, Vulnerability, assess, device_risk


def test_numbers_in_each_language():
    risk = assess(
        Vulnerability("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", kev=False, epss=0.61),
        DeviceContext(
            "life_sustaining", True, False, "medical", compensating_controls=("segmented",)
        ),
    )
    details = {factor.label.en: factor.detail for factor in risk.factors}
    assert details["CVSS"].fr.startswith("9,8 ") and details["CVSS"].en.startswith("9.8 ")
    assert details["EPSS"].fr.endswith("61,0\u202f%") and details["EPSS"].en.endswith("61.0%")
    device = device_risk([64.5, 30.0])
    worst = device.factors[0].detail
    assert (worst.fr, worst.en) == ("64,5", "64.5")
