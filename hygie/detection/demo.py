"""The detection module's demo data: a day of fictitious logs replayed through the real ingest path.

``hygie demo`` calls ``load_demo`` (module order, inside the demo transaction). It generates the
last 24 hours of the demo hospital's logs — sshd on the Linux servers, the patient portal's web
access log, Sysmon/Windows events as JSON lines, HL7 v2 and FHIR AuditEvent records — with a few
attacks hidden in the noise, and feeds them to ``services.ingest_lines`` exactly as ``hygie
ingest`` does: events are parsed and stored, the healthcare rule pack runs, and the alerts are
the ones the rules raise (none is inserted by hand).

The attacks (each matches a rule of ``hygie/detection/rules/healthcare``):
- an SSH password-guessing run against the EHR server (correlation: 20 failures in 5 minutes);
- SQL injection attempts on the patient portal;
- last night's ransomware on the file server: Defender disabled from PowerShell, shadow copies
  deleted, then files renamed ``.lockbit`` (the incident of the response demo);
- a local administrator account created on a radiology console;
- HL7 messages from a sending facility nobody declared;
- a "break the glass" access to a patient record.

Everything is invented: addresses come from the documentation ranges (RFC 5737) and the private
ranges, names are the demo's fictitious hosts, patient references are opaque test ids.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from hygie.core.models import Establishment, Organisation
from hygie.detection.mail_reports import report_suspicious_mail
from hygie.detection.models import EventSource
from hygie.detection.services import IngestSummary, ingest_lines

# The rules whose alerts the demo must produce (tests/apps/detection/test_demo.py checks them).
SSH_BRUTE_FORCE_RULE = "e0a9cff3-d12a-4b84-aec1-dca32850baa1"
RANSOMWARE_RULE = "b09b746f-ca4f-4ca2-bd1f-b2770a8fa3ad"

ATTACKER_SSH = "203.0.113.50"
ATTACKER_WEB = "198.51.100.23"
UNKNOWN_FACILITY = "LABO-INCONNU"
_SEED = 20261206  # the same day of logs every time, so the demo reads the same for everyone

_LINUX_SERVERS = ("srv-dpi-01", "srv-dpi-02", "srv-sauvegarde-01")
_ADMINS = ("adm-dupont", "adm-martin", "svc-supervision")
_WORKSTATIONS = ("ws-urg-01", "ws-urg-02", "srv-pacs-01", "srv-lab-01")
_OFFICE_IMAGES = (
    r"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE",
    r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files\Dossier Patient\dpi-client.exe",
    r"C:\Windows\System32\notepad.exe",
)
_PORTAL_PAGES = (
    "/portail/",
    "/portail/rdv",
    "/portail/rdv?id={n}",
    "/portail/resultats",
    "/portail/documents?page={n}",
    "/portail/static/app.css",
    "/portail/static/app.js",
    "/portail/messagerie",
)
_KNOWN_FACILITIES = ("CH-EXEMPLE", "LABO-EXEMPLE")


def load_demo(organisation: Organisation, establishments: list[Establishment]) -> None:
    """Replay the demo log of the first establishment (the hospital) through ingestion."""
    if establishments:
        replay_demo_log(establishments[0])
    if len(establishments) > 1:
        report_demo_phishing(establishments[1])


# A made-up phishing message (reserved .example domains), reported twice by the clinic's staff:
# the report page's way in, one alert counting both reports.
DEMO_PHISHING = (
    "From: Service Paie <paie@rh-paie-ght.example>\r\n"
    "To: personnel@clinique.example\r\n"
    "Subject: =?utf-8?q?Votre_bulletin_de_paie_est_bloqu=C3=A9?=\r\n"
    "Date: Mon, 30 Nov 2026 08:12:00 +0100\r\n"
    "Message-ID: <demo-paie-0001@rh-paie-ght.example>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    "Bonjour,\r\n"
    "Votre bulletin de paie ne peut pas être versé. Confirmez votre mot de passe ici :\r\n"
    "https://rh-paie-ght.example/connexion\r\n"
).encode()


def report_demo_phishing(establishment: Establishment) -> None:
    """Two members of staff report the same phishing message (through the report service)."""
    for note in ("", "Reçu aussi sur ma boîte de service."):
        report_suspicious_mail(
            user=None, establishment=establishment, data=DEMO_PHISHING, note=note
        )


def replay_demo_log(establishment: Establishment, now: datetime | None = None) -> IngestSummary:
    """Ingest the generated day of logs into ``establishment``; returns what ingestion did."""
    lines = demo_log(now or timezone.now(), ZoneInfo(establishment.timezone or "Europe/Paris"))
    return ingest_lines(establishment, lines, EventSource.FILE)


def demo_log(now: datetime, zone: ZoneInfo) -> list[bytes]:
    """The last 24 hours of the demo hospital's logs, oldest first, as a log file's lines."""
    rng = random.Random(_SEED)
    start = now - timedelta(hours=24)
    records: list[tuple[datetime, bytes]] = []
    records += _ssh_noise(rng, start, now)
    records += _ssh_brute_force(now - timedelta(hours=5, minutes=20))
    records += _portal_noise(rng, start, now)
    records += _portal_injection(now - timedelta(hours=2, minutes=10))
    records += _windows_noise(rng, start, now)
    records += _ransomware(_last_night(now, zone))
    records += _new_local_admin(now - timedelta(hours=9))
    records += _hl7(rng, start, now)
    records += _break_the_glass(now - timedelta(hours=14))
    records.sort(key=lambda record: record[0])
    return [line for _, line in records]


def _last_night(now: datetime, zone: ZoneInfo) -> datetime:
    """02:31 local time on the most recent night at least six hours ago: the ransomware starts
    shortly before the response demo's incident is discovered (03:12, same rule)."""
    local = now.astimezone(zone)
    day = local.date() if local.time() >= time(9, 12) else local.date() - timedelta(days=1)
    return datetime.combine(day, time(2, 31), tzinfo=zone)


def _spread(rng: random.Random, start: datetime, end: datetime, count: int) -> list[datetime]:
    seconds = (end - start).total_seconds()
    return sorted(start + timedelta(seconds=rng.uniform(0, seconds)) for _ in range(count))


def _syslog(at: datetime, host: str, app: str, pid: int, message: str) -> bytes:
    """An RFC 5424 line (facility auth, severity info), with the offset in its timestamp."""
    stamp = at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return f"<38>1 {stamp} {host} {app} {pid} - - {message}\n".encode()


def _json(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode() + b"\n"


def _ssh_noise(rng: random.Random, start: datetime, end: datetime) -> list[tuple[datetime, bytes]]:
    records = []
    for index, at in enumerate(_spread(rng, start, end, 60)):
        host = _LINUX_SERVERS[index % len(_LINUX_SERVERS)]
        user = _ADMINS[index % len(_ADMINS)]
        address = f"10.10.0.{10 + index % 5}"
        if index % 12 == 5:  # the odd mistyped password, from an administrator's machine
            message = f"Failed password for {user} from {address} port {40000 + index} ssh2"
        else:
            message = (
                f"Accepted publickey for {user} from {address} port {40000 + index} "
                "ssh2: ED25519 SHA256:demo"
            )
        records.append((at, _syslog(at, host, "sshd", 2000 + index, message)))
    return records


def _ssh_brute_force(at: datetime) -> list[tuple[datetime, bytes]]:
    """32 guesses in under three minutes, against root and vendor accounts of the EHR server."""
    users = ("root", "admin", "oracle", "dpi", "support")
    records = []
    for index in range(32):
        when = at + timedelta(seconds=5 * index)
        user = users[index % len(users)]
        message = (
            f"Failed password for root from {ATTACKER_SSH} port {51000 + index} ssh2"
            if user == "root"
            else f"Failed password for invalid user {user} from {ATTACKER_SSH} "
            f"port {51000 + index} ssh2"
        )
        records.append((when, _syslog(when, "srv-dpi-01", "sshd", 6000 + index, message)))
    return records


def _access_line(at: datetime, client: str, target: str, status: int, agent: str) -> bytes:
    stamp = at.strftime("%d/%b/%Y:%H:%M:%S %z")
    return f'{client} - - [{stamp}] "GET {target} HTTP/1.1" {status} 2048 "-" "{agent}"\n'.encode()


def _portal_noise(
    rng: random.Random, start: datetime, end: datetime
) -> list[tuple[datetime, bytes]]:
    agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/133.0"
    records = []
    for index, at in enumerate(_spread(rng, start, end, 150)):
        page = _PORTAL_PAGES[index % len(_PORTAL_PAGES)].format(n=rng.randint(1, 400))
        client = f"192.0.2.{rng.randint(1, 254)}"
        records.append((at, _access_line(at, client, page, 200, agent)))
    return records


def _portal_injection(at: datetime) -> list[tuple[datetime, bytes]]:
    probes = (
        "/portail/rdv?id=1%27%20OR%20%271%27%3D%271",
        "/portail/resultats?q=1+UNION+SELECT+login,password+FROM+comptes--",
        "/portail/documents?page=1;WAITFOR%20DELAY%20%270:0:5%27--",
    )
    return [
        (
            at + timedelta(seconds=7 * index),
            _access_line(at + timedelta(seconds=7 * index), ATTACKER_WEB, probe, 500, "sqlmap/1.8"),
        )
        for index, probe in enumerate(probes)
    ]


def _windows_event(
    at: datetime, computer: str, event_id: int, channel: str, provider: str, data: dict[str, str]
) -> bytes:
    stamp = at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return _json(
        {
            "Event": {
                "System": {
                    "Provider": {"#attributes": {"Name": provider}},
                    "EventID": event_id,
                    "TimeCreated": {"#attributes": {"SystemTime": stamp}},
                    "Channel": channel,
                    "Computer": f"{computer}.ch-exemple.local",
                },
                "EventData": data,
            }
        }
    )


def _sysmon(at: datetime, computer: str, event_id: int, data: dict[str, str]) -> bytes:
    return _windows_event(
        at,
        computer,
        event_id,
        "Microsoft-Windows-Sysmon/Operational",
        "Microsoft-Windows-Sysmon",
        data,
    )


def _windows_noise(
    rng: random.Random, start: datetime, end: datetime
) -> list[tuple[datetime, bytes]]:
    records = []
    for index, at in enumerate(_spread(rng, start, end, 70)):
        computer = _WORKSTATIONS[index % len(_WORKSTATIONS)]
        image = _OFFICE_IMAGES[index % len(_OFFICE_IMAGES)]
        records.append(
            (
                at,
                _sysmon(
                    at,
                    computer,
                    1,
                    {
                        "Image": image,
                        "CommandLine": f'"{image}"',
                        "ParentImage": r"C:\Windows\explorer.exe",
                        "User": "CHEX\\soignant",
                    },
                ),
            )
        )
    return records


def _ransomware(at: datetime) -> list[tuple[datetime, bytes]]:
    """Defender switched off, shadow copies deleted, then 40 files encrypted in 40 seconds."""
    host, account = "srv-fichiers-01", "CHEX\\svc-sauvegarde"
    powershell = r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe"
    records = [
        (
            at,
            _sysmon(
                at,
                host,
                1,
                {
                    "Image": powershell,
                    "CommandLine": "powershell.exe -NoProfile -WindowStyle Hidden "
                    "Set-MpPreference -DisableRealtimeMonitoring $true",
                    "ParentImage": r"C:\Windows\System32\cmd.exe",
                    "User": account,
                },
            ),
        ),
        (
            at + timedelta(minutes=3),
            _sysmon(
                at + timedelta(minutes=3),
                host,
                1,
                {
                    "Image": r"C:\Windows\System32\vssadmin.exe",
                    "CommandLine": "vssadmin.exe delete shadows /all /quiet",
                    "ParentImage": r"C:\Windows\System32\cmd.exe",
                    "User": account,
                },
            ),
        ),
    ]
    encryptor = r"C:\Users\Public\svchost32.exe"
    folders = ("Radiologie\\Comptes-rendus", "Radiologie\\Planning", "Direction\\Budget")
    begin = at + timedelta(minutes=9)
    for index in range(40):
        when = begin + timedelta(seconds=index)
        name = f"C:\\Partage\\{folders[index % len(folders)]}\\document-{index:03d}.docx.lockbit"
        records.append(
            (when, _sysmon(when, host, 11, {"Image": encryptor, "TargetFilename": name}))
        )
    return records


def _new_local_admin(at: datetime) -> list[tuple[datetime, bytes]]:
    host, sid = "irm-console-01", "S-1-5-21-1111111111-2222222222-3333333333-1601"
    security = ("Security", "Microsoft-Windows-Security-Auditing")
    later = at + timedelta(minutes=2)
    return [
        (
            at,
            _windows_event(
                at,
                host,
                4720,
                *security,
                {
                    "TargetUserName": "maintenance2",
                    "TargetDomainName": host.upper(),
                    "TargetSid": sid,
                    "SubjectUserName": "technicien",
                },
            ),
        ),
        (
            later,
            _windows_event(
                later,
                host,
                4732,
                *security,
                {
                    "MemberName": "-",
                    "MemberSid": sid,
                    "TargetUserName": "Administrateurs",
                    "TargetDomainName": "Builtin",
                    "TargetSid": "S-1-5-32-544",
                    "SubjectUserName": "technicien",
                },
            ),
        ),
    ]


def _hl7(rng: random.Random, start: datetime, end: datetime) -> list[tuple[datetime, bytes]]:
    """Admissions from a facility nobody declared: a misconfigured interface, or worse."""
    records = []
    for index, at in enumerate(_spread(rng, start, end, 3)):
        stamp = at.strftime("%Y%m%d%H%M%S%z")
        message = (
            f"MSH|^~\\&|ADT|{UNKNOWN_FACILITY}|DPI|{_KNOWN_FACILITIES[0]}|{stamp}||"
            f"ADT^A01^ADT_A01|DEMO{index:04d}|P|2.5\r"
            f"PID|1||DEMO{index:06d}^^^{UNKNOWN_FACILITY}^PI||FICTIF^PATIENT||19700101|U"
        )
        records.append((at, message.encode() + b"\n"))
    return records


def _break_the_glass(at: datetime) -> list[tuple[datetime, bytes]]:
    stamp = at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return [
        (
            at,
            _json(
                {
                    "resourceType": "AuditEvent",
                    "type": {
                        "system": "http://terminology.hl7.org/CodeSystem/audit-event-type",
                        "code": "rest",
                    },
                    "subtype": [
                        {"system": "http://hl7.org/fhir/restful-interaction", "code": "read"}
                    ],
                    "action": "R",
                    "recorded": stamp,
                    "outcome": "0",
                    "agent": [
                        {
                            "who": {"identifier": {"value": "ide.nuit"}, "display": "ide.nuit"},
                            "requestor": True,
                            "network": {"address": "10.20.0.31", "type": "2"},
                        },
                        {"who": {"display": "srv-dpi-01"}, "requestor": False},
                    ],
                    "source": {"site": "CH Exemple", "observer": {"display": "srv-dpi-01"}},
                    "entity": [{"what": {"reference": "Patient/demo-0042"}}],
                    "purposeOfEvent": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/v3-ActReason",
                                    "code": "BTG",
                                }
                            ]
                        }
                    ],
                }
            ),
        )
    ]
