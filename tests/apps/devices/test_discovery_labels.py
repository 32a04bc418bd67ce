"""Every kind of evidence the discovery engine emits has a label on the discovery page (a DICOM
calling AE title read 'Autre' / 'Other'), and the flows table formats its numbers (sizes in
units, counts with separators)."""

from __future__ import annotations

import re
from pathlib import Path

import hygie.devices.engine.discovery as engine_package
from hygie.devices.views.discovery import EVIDENCE_LABELS

KIND = re.compile(r'"((?:dicom|hl7|dhcp|http|ssdp|mdns|mqtt)\.[a-z_]+)"')


def test_every_emitted_evidence_kind_is_labelled():
    folder = Path(engine_package.__file__).parent
    emitted = {kind for path in folder.glob("*.py") for kind in KIND.findall(path.read_text())}
    assert {"dicom.calling_ae", "hl7.sending_application", "http.server"} <= emitted
    assert emitted - set(EVIDENCE_LABELS) == set()


def test_flow_numbers_are_formatted():
    template = Path(__file__).resolve().parents[3] / "hygie/devices/templates/devices"
    text = (template / "discoveryrun_detail.html").read_text()
    assert "f.bytes|filesizeformat" in text and "f.packets|intcomma" in text
