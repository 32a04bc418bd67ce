"""Every fuzz target, by name. Add a target to its area's module; it is picked up here."""

from __future__ import annotations

from . import (
    targets_awareness,
    targets_compliance,
    targets_detection,
    targets_devices,
    targets_devices_discovery,
    targets_intel,
    targets_privacy,
    targets_response,
)
from .target import Target

TARGETS: dict[str, Target] = {
    target.name: target
    for target in (
        *targets_awareness.TARGETS,
        *targets_compliance.TARGETS,
        *targets_detection.TARGETS,
        *targets_devices.TARGETS,
        *targets_devices_discovery.TARGETS,
        *targets_intel.TARGETS,
        *targets_privacy.TARGETS,
        *targets_response.TARGETS,
    )
}
