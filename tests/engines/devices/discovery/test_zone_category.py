"""A policy zone may say which inventory network zone (exposure category) its devices are in;
an unknown category is refused with its location; the export keeps it."""

from __future__ import annotations

import pytest

from hygie.devices.engine import segmentation


def test_zone_category_read_checked_and_exported() -> None:
    text = (
        "zones:\n  - name: vlan-12\n    networks: [10.12.0.0/16]\n"
        "    category: medical\nallow: []\n"
    )
    policy = segmentation.parse_policy(text, "p.yaml")
    assert policy.zones[0].category == "medical"
    assert segmentation.policy_to_dict(policy)["zones"][0]["category"] == "medical"
    plain = segmentation.parse_policy(text.replace("    category: medical\n", ""), "p.yaml")
    assert plain.zones[0].category == ""
    assert "category" not in segmentation.policy_to_dict(plain)["zones"][0]
    with pytest.raises(segmentation.SegmentationError, match="category"):
        segmentation.parse_policy(text.replace("medical", "hospital"), "p.yaml")
