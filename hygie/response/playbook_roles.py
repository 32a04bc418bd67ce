"""Labels of the roles playbooks name (step owners and contacts): shown as words, never as the
slug the YAML file uses. A role no label knows reads as its words (hygie.core.display)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hygie.core.display import key_label

ROLE_LABELS: dict[str, object] = {
    "anssi": _("ANSSI"),
    "ars": _("Regional health agency (ARS)"),
    "biomed": _("Biomedical engineering"),
    "cert_sante": _("CERT Santé"),
    "clinical_lead": _("Clinical lead"),
    "cnil": _("CNIL"),
    "communication": _("Communication"),
    "crisis_cell": _("Crisis cell"),
    "direction": _("Management"),
    "dpo": _("Data protection officer"),
    "helpdesk": _("Helpdesk"),
    "insurer": _("Cyber insurer"),
    "ir_provider": _("Incident response provider"),
    "it_oncall": _("IT on call"),
    "legal": _("Legal department"),
    "network_team": _("Network team"),
    "police": _("Police or gendarmerie"),
    "rssi": _("CISO (RSSI)"),
    "soc_analyst": _("SOC analyst"),
}


def role_label(role: object) -> str:
    """A playbook role as words in the active language."""
    return key_label(role, ROLE_LABELS)
