"""The demo incident loaded with the demo GHT (called by ``response.demo.load_demo``).

A fictional ransomware attack on the file server of the demo hospital, discovered last night,
with radiology in degraded mode, currently in containment. Everything is invented: addresses are
from the documentation ranges (RFC 5737), domains under ``example.net``, the hash is not of any
real file, and nobody in it exists.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from hygie.core.choices import SeverityChoice
from hygie.core.models import Alert, Asset, Department, Establishment, Organisation
from hygie.response.choices import (
    CareImpact,
    IncidentCategory,
    IncidentSource,
    IncidentStatus,
    PersonalData,
    TaskStatus,
    TimelineKind,
)
from hygie.response.models import Incident, IncidentTransition, Task, TimelineEntry
from hygie.response.services import drafts, exercises, obligations, playbooks
from hygie.response.services import incidents as service

# The Sigma rules of last night's ransomware chain on srv-fichiers-01, which the detection demo
# replays from its logs (hygie/detection/demo.py): the incident is opened from those alerts.
RANSOMWARE_CHAIN_RULES = (
    "b09b746f-ca4f-4ca2-bd1f-b2770a8fa3ad",  # Mass File Renames with Ransomware Extensions
    "3f80b5e6-1432-4b13-9b90-61ba92739e28",  # Backup or Shadow Copy Deletion
    "13dc053c-88f9-4f27-93fe-4a22f37e6a92",  # Windows Defender or EDR Disabled
)
DEMO_TITLE = "Rançongiciel sur le serveur de fichiers — radiologie en mode dégradé"


def _last_night(zone: ZoneInfo) -> datetime:
    """03:12 local time on the most recent night at least six hours ago."""
    now = timezone.now().astimezone(zone)
    day = now.date() if now.time() >= time(9, 12) else now.date() - timedelta(days=1)
    return datetime.combine(day, time(3, 12), tzinfo=zone)


def load_demo_incident(
    sender: Any, organisation: Any, establishments: list[Any], **kwargs: Any
) -> Incident | None:
    """Create the demo incident at the first demo establishment (inside the demo transaction)."""
    if not establishments:
        return None
    hospital: Establishment = establishments[0]
    zone = ZoneInfo(hospital.timezone)
    discovered = _last_night(zone)

    def at(hours: float) -> datetime:
        return discovered + timedelta(hours=hours)

    departments = list(
        Department.objects.filter(establishment=hospital, name__in=["Radiologie", "DSI"])
    )
    assets = list(
        Asset.objects.filter(
            establishment=hospital, hostname__in=["srv-fichiers-01", "srv-pacs-01"]
        )
    )
    incident = service.create_incident(
        None,
        establishment=hospital,
        title=DEMO_TITLE,
        description=(
            "Vers 03 h, le manipulateur radio de garde ne peut plus ouvrir les comptes rendus "
            "stockés sur le partage réseau : les fichiers portent une extension inconnue et une "
            "note de rançon est présente dans chaque dossier. L'administrateur d'astreinte "
            "constate un chiffrement en cours sur srv-fichiers-01 par un compte de service. "
            "La radiologie passe en mode dégradé (comptes rendus papier, images consultées "
            "sur la console de la modalité)."
        ),
        discovered_at=discovered,
        occurred_at=at(-1.42),
        category=IncidentCategory.RANSOMWARE,
        severity=SeverityChoice.CRITICAL,
        care_impact=CareImpact.DEGRADED_MODE,
        personal_data=PersonalData.UNKNOWN,
        source=IncidentSource.ALERT,
        source_reference="Appel du service de radiologie, 03:12",
        departments=departments,
        assets=assets,
    )
    declared = at(0.22)
    IncidentTransition.objects.filter(incident=incident).update(at=declared)
    TimelineEntry.objects.filter(incident=incident).update(at=declared)

    alerts = list(
        Alert.objects.filter(
            establishment=hospital, source="detection", rule_id__in=RANSOMWARE_CHAIN_RULES
        )
    )
    if alerts:
        service.link_alerts(None, incident, alerts)

    service.transition(None, incident, IncidentStatus.TRIAGE, at=at(0.47))
    service.transition(None, incident, IncidentStatus.CONTAINMENT, at=at(1.05))

    for when, kind, text in [
        (
            0.0,
            TimelineKind.LOG,
            "Appel du manipulateur radio de garde : comptes rendus "
            "illisibles sur le partage, note de rançon dans les dossiers.",
        ),
        (
            0.3,
            TimelineKind.LOG,
            "Astreinte DSI sur place. Renommage massif en cours sur "
            "srv-fichiers-01 par le compte svc-sauvegarde.",
        ),
        (
            0.75,
            TimelineKind.DECISION,
            "Cellule de crise restreinte (directeur de garde, RSSI, "
            "astreinte DSI) : isoler le serveur sans l'éteindre, "
            "mode dégradé en radiologie.",
        ),
        (
            1.1,
            TimelineKind.LOG,
            "srv-fichiers-01 isolé (port du commutateur désactivé). "
            "Mémoire vive capturée avant toute autre action.",
        ),
        (
            1.6,
            TimelineKind.LOG,
            "Compte svc-sauvegarde désactivé, mots de passe des comptes "
            "d'administration du domaine en cours de rotation.",
        ),
        (
            2.5,
            TimelineKind.LOG,
            "Connexions sortantes vers 203.0.113.45 repérées dans les "
            "journaux du pare-feu depuis 01:40 ; flux bloqué.",
        ),
    ]:
        service.add_log_entry(None, incident, text, kind=kind, at=at(when))

    tasks = [
        (
            "Isoler srv-fichiers-01 du réseau (ne pas l'éteindre)",
            IncidentStatus.CONTAINMENT,
            TaskStatus.DONE,
            False,
            "",
            1.1,
        ),
        (
            "Désactiver le compte de service svc-sauvegarde et faire tourner les secrets",
            IncidentStatus.CONTAINMENT,
            TaskStatus.DONE,
            False,
            "",
            1.6,
        ),
        (
            "Décider du passage de la radiologie en mode dégradé",
            IncidentStatus.TRIAGE,
            TaskStatus.DONE,
            True,
            "Mode dégradé activé à 04:00 : comptes rendus papier, "
            "images consultées sur les consoles des modalités.",
            0.8,
        ),
        (
            "Vérifier l'intégrité des sauvegardes hors ligne avant toute restauration",
            IncidentStatus.ERADICATION,
            TaskStatus.IN_PROGRESS,
            False,
            "",
            None,
        ),
        (
            "Déclarer l'incident sur le portail de signalement (CERT Santé / ARS)",
            IncidentStatus.CONTAINMENT,
            TaskStatus.TODO,
            False,
            "",
            None,
        ),
        (
            "Déposer plainte (police ou gendarmerie)",
            IncidentStatus.CONTAINMENT,
            TaskStatus.TODO,
            False,
            "",
            None,
        ),
    ]
    for title, phase, status, is_decision, decision, done_after in tasks:
        task = service.add_task(
            None,
            incident,
            title=title,
            phase=phase,
            is_decision=is_decision,
            due_at=at(6) if status == TaskStatus.TODO else None,
        )
        if status != TaskStatus.TODO:
            service.set_task_status(None, task, status, decision=decision)
        if done_after is not None:
            Task.objects.filter(pk=task.pk).update(completed_at=at(done_after))

    for observable_kind, value, note in [
        ("ip", "203.0.113.45", "Serveur de commande contacté depuis srv-fichiers-01."),
        ("ip", "198.51.100.23", "Destination d'un transfert sortant de 2 Go (exfiltration ?)."),
        ("domain", "update-check.example.net", "Résolu par le poste compromis avant 01:40."),
        ("url", "hxxp://update-check[.]example[.]net/agent.bin", "Charge téléchargée."),
        (
            "hash",
            "9f2c4d6e8a0b1c3d5e7f9a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d",
            "Binaire de chiffrement (SHA-256, fictif).",
        ),
        ("account", "EXEMPLE\\svc-sauvegarde", "Compte de service utilisé pour chiffrer."),
        ("host", "srv-fichiers-01", "Serveur chiffré."),
    ]:
        service.add_observable(None, incident, observable_kind, value, note=note)

    service.add_comment(
        None,
        incident,
        "Point de situation de 08:00 : chiffrement stoppé, "
        "périmètre limité au partage de fichiers selon les "
        "premières analyses. Le PACS n'est pas touché. "
        "Prochain point à 12:00.",
    )
    _follow_up(incident, at)
    _plan_exercise(hospital, organisation)
    return incident


def _follow_up(incident: Incident, at: Any) -> None:
    """What the team did next with the tools of the other areas: the ransomware playbook, the
    regulatory clocks (assessed on save), CERT Santé declared, CERT Santé and CNIL drafts."""
    playbooks.apply_playbook(None, incident, "ransomware")
    obligations.assess_incident(incident)
    declared = incident.obligations.filter(obligation_id="cert_sante", applies=True).first()
    if declared is not None:
        obligations.complete_obligation(
            declared,
            min(at(1.9), timezone.now()),
            user=None,
            proof_reference="Accusé de réception du portail de signalement (fictif) 2026-DEMO-0042",
        )
    for kind in ("cert_sante", "cnil"):
        drafts.generate_draft(incident, kind, "fr", None)


def _plan_exercise(hospital: Establishment, organisation: Organisation) -> None:
    """The organisation adopted and reviewed its ransomware playbook; an exercise is planned."""
    playbooks.adopt_shipped(None, organisation, "ransomware")
    local = timezone.now().astimezone(ZoneInfo(hospital.timezone))
    planned = datetime.combine(local.date() + timedelta(days=30), time(9, 30), tzinfo=local.tzinfo)
    exercises.plan_exercise(
        None,
        establishment=hospital,
        title="Exercice annuel de crise cyber (CaRE)",
        planned_for=planned,
        scenario_key="ransomware-ehr",
        other_participants="Directeur de garde\nCadre de santé de radiologie\n"
        "Responsable communication",
    )
