"""MDS2 (Manufacturer Disclosure Statement for Medical Device Security, 2019 form): the key
security capabilities read from the manufacturer's XLSX and stored with the device.

The 2019 form lists questions by identifier (``AUTH-1``, ``MLDP-2``, ``TXCF-1``…) with a
Yes/No/N/A answer in a neighbouring cell; the ``DOC-`` questions describe the device. We keep the
answers of the sections that matter for security decisions and a per-section summary.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core.models import User
from hygie.core.services import crud
from hygie.devices.models import Device

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5_000
QUESTION = re.compile(r"^([A-Z]{3,4})-(\d{1,2}(?:\.\d{1,2})?)$")
ANSWERS = {"yes": "yes", "no": "no", "n/a": "n/a", "na": "n/a", "see note": "see_note"}
# The 2019 form's sections that describe security capabilities.
SECTIONS: dict[str, Any] = {
    "MPII": gettext_lazy("Management of personal data"),
    "ALOF": gettext_lazy("Automatic logoff"),
    "AUDT": gettext_lazy("Audit controls"),
    "AUTH": gettext_lazy("Authorisation"),
    "CSUP": gettext_lazy("Cybersecurity product upgrades"),
    "DIDT": gettext_lazy("Health data de-identification"),
    "DTBK": gettext_lazy("Data backup and disaster recovery"),
    "EMRG": gettext_lazy("Emergency access"),
    "IGAU": gettext_lazy("Health data integrity and authenticity"),
    "MLDP": gettext_lazy("Malware detection and protection"),
    "NAUT": gettext_lazy("Node authentication"),
    "CONN": gettext_lazy("Connectivity capabilities"),
    "PAUT": gettext_lazy("Person authentication"),
    "PLOK": gettext_lazy("Physical locks"),
    "RDMP": gettext_lazy("Roadmap for third-party components"),
    "SBOM": gettext_lazy("Software bill of materials"),
    "SAHD": gettext_lazy("System and application hardening"),
    "SGUD": gettext_lazy("Security guidance"),
    "STCF": gettext_lazy("Health data storage confidentiality"),
    "TXCF": gettext_lazy("Transmission confidentiality"),
    "TXIG": gettext_lazy("Transmission integrity"),
    "RMOT": gettext_lazy("Remote service"),
}


def parse_mds2(data: bytes) -> dict[str, Any]:
    """``{"form": "2019", "answers": {id: yes|no|n/a|see_note}, "summary": {section: {...}},
    "manufacturer": …, "model": …}`` from an MDS2 XLSX; refuses a file with no question."""
    if len(data) > MAX_BYTES:
        raise ValidationError(_("The MDS2 file is too large."))
    if not data.startswith(b"PK\x03\x04"):
        raise ValidationError(_("The MDS2 form must be the manufacturer's XLSX file."))
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ValidationError(_("The MDS2 file could not be read.")) from None
    answers: dict[str, str] = {}
    described: dict[str, str] = {}
    rows = 0
    try:
        for sheet in workbook.worksheets:
            for values in sheet.iter_rows(values_only=True):
                rows += 1
                if rows > MAX_ROWS:
                    raise ValidationError(_("The MDS2 file has too many rows."))
                cells = [str(v).strip() if v is not None else "" for v in values[:12]]
                _read_row(cells, answers, described)
    finally:
        workbook.close()
    if not answers:
        raise ValidationError(_("No MDS2 question was found in this file."))
    summary: dict[str, dict[str, int]] = {}
    for question, answer in answers.items():
        section = question.split("-", 1)[0]
        counts = summary.setdefault(section, {"yes": 0, "no": 0, "n/a": 0, "see_note": 0})
        counts[answer] += 1
    return {
        "form": "2019",
        "answers": dict(sorted(answers.items())),
        "summary": dict(sorted(summary.items())),
        "manufacturer": described.get("DOC-1", "")[:200],
        "model": described.get("DOC-3", "")[:200],
    }


def _read_row(cells: list[str], answers: dict[str, str], described: dict[str, str]) -> None:
    for position, cell in enumerate(cells):
        found = QUESTION.match(cell)
        if not found:
            continue
        rest = [c for c in cells[position + 1 :] if c]
        if found.group(1) == "DOC":
            # DOC-n: identifier, question, then the free-text answer.
            if len(rest) >= 2:
                described[cell] = rest[1]
            return
        if found.group(1) not in SECTIONS:
            return
        for candidate in rest:
            answer = ANSWERS.get(candidate.casefold())
            if answer:
                answers[cell] = answer
                return
        return


def import_mds2(device: Device, user: User | None, data: bytes) -> Device:
    """Store the form's answers with the device; an empty manufacturer or model is filled in."""
    parsed = parse_mds2(data)
    fields: dict[str, Any] = {"mds2": parsed}
    if not device.manufacturer and parsed["manufacturer"]:
        fields["manufacturer"] = parsed["manufacturer"]
    if not device.model_name and parsed["model"]:
        fields["model_name"] = parsed["model"]
    return crud.save_instance(device, user, **fields)


def summary_rows(mds2: dict[str, Any]) -> list[dict[str, Any]]:
    """Per section, its label and its yes/no counts, for the device page."""
    rows = []
    for section, counts in (mds2 or {}).get("summary", {}).items():
        if section in SECTIONS and isinstance(counts, dict):
            rows.append({"section": section, "label": SECTIONS[section], **counts})
    return rows
