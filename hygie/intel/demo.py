"""Demo data of the intel module: the partners directory (CERT Santé, the regional support
centre, an ISAC, a vendor), a MISP feed from CERT Santé with its indicators imported through the
indicator service (so provenance, TLP and ATT&CK references are the ones a real poll stores), a
second source confirming one of them, and a sighting of one indicator in the establishment's
proxy logs with the core alert it raised. Hygie's own TAXII 2.1 server has a collection holding
the establishment's published indicators, which CERT Santé and the ISAC may read (each under its
own TLP clearance: the ISAC, cleared for GREEN, never receives the AMBER ones), and CERT Santé has
a credential. Its secret is random and never shown: to try the server with a TAXII client, give
a partner a new credential on its page (the secret is shown once).

The demo incident under the CERT Santé obligation (the response module's, through
``hygie.core.incident_sources``: nothing when response is absent) was shared with CERT Santé: a
STIX 2.1 bundle at TLP:AMBER, scrubbed by the privacy engine like any share, approved and
downloaded — on the incident's timeline and in the audit trail, so the sector-CERT probe passes.

Everything is invented: addresses from the documentation ranges (RFC 5737), ``.example``
domains, hashes of nothing, endpoints under ``.invalid`` (RFC 2606: they never resolve, so a
poll of the demo feed only records that its host could not be resolved).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from hygie.core import audit
from hygie.core.choices import SeverityChoice
from hygie.core.incident_sources import incidents_requiring, read_incident
from hygie.core.models import Establishment, Organisation, User
from hygie.core.services.alerts import raise_alert
from hygie.intel.engine.convert import Input
from hygie.intel.engine.model import TLP
from hygie.intel.models import (
    Feed,
    IncidentShare,
    Indicator,
    Partner,
    Sighting,
    TaxiiCollection,
)
from hygie.intel.models.choices import FeedKind, PartnerKind, ShareFormat, ShareStatus, TlpLevel
from hygie.intel.services import indicators, sharing, taxii_admin

PARTNERS = (
    (
        "CERT Santé (démo)",
        PartnerKind.CERT_SANTE,
        TlpLevel.AMBER,
        "https://cert-sante.demo-hygie.invalid",
    ),
    ("Centre régional de support (démo)", PartnerKind.REGIONAL_CENTRE, TlpLevel.AMBER, ""),
    ("Health-ISAC (démo)", PartnerKind.ISAC, TlpLevel.GREEN, "https://isac.demo-hygie.invalid"),
    ("Perfusia SAS — PSIRT (démo)", PartnerKind.VENDOR, TlpLevel.GREEN, ""),
)
CERT_CSV = """type,value,tlp,confidence,description,attack
ipv4,203.0.113.66,TLP:AMBER,80,Serveur de commande d'un rançongiciel visant des hôpitaux,T1071.001
domain,maj-dossier-patient[.]example,TLP:AMBER,70,Domaine d'hameçonnage imitant un DPI,T1566.002
url,hxxps://portail-rh-ght[.]example/connexion,TLP:GREEN,60,Page de vol d'identifiants,T1566.002
sha256,9f2c4b0e3a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b,TLP:AMBER,90,Chargeur,T1486
email,facturation@fournisseur-medical[.]example,TLP:GREEN,50,Fausses factures,T1566.001
cve,CVE-2099-4242,TLP:CLEAR,,Vulnérabilité fictive exploitée par le groupe,
"""
SECTOR_CERT_OBLIGATION = "cert_sante"  # as hygie.intel.probes (not imported: it registers)
ISAC_CSV = """type,value,tlp,confidence
ipv4,203.0.113.66,TLP:GREEN,70
domain,telemaintenance-biomed[.]example,TLP:GREEN,60
"""


def load_demo(organisation: Organisation, establishments: list[Establishment]) -> None:
    if not establishments:
        return
    establishment = establishments[0]
    created = {}
    for name, kind, max_tlp, url in PARTNERS:
        created[kind] = Partner.objects.create(
            establishment=establishment,
            name=name,
            kind=kind,
            max_tlp=max_tlp,
            contact_email=f"contact@{kind.replace('_', '-')}.demo-hygie.invalid",
            taxii_url=f"{url}/taxii2/" if url else "",
            taxii_api_root="api1" if url else "",
            misp_url=url if kind == PartnerKind.CERT_SANTE else "",
            notes="Partenaire fictif de la démonstration.",
        )
    now = timezone.now()
    feed = Feed.objects.create(
        establishment=establishment,
        name="Flux MISP CERT Santé (démo)",
        kind=FeedKind.MISP_FEED,
        partner=created[PartnerKind.CERT_SANTE],
        url="https://cert-sante.demo-hygie.invalid/misp-feed/",
        default_tlp=TlpLevel.AMBER,
        poll_interval_minutes=24 * 60,  # .invalid never resolves: a poll records its error
    )
    indicators.import_data(
        establishment,
        [Input("cert-sante-demo.csv", CERT_CSV.encode())],
        feed=feed,
        default_tlp=TLP.AMBER,
    )
    Feed.objects.filter(pk=feed.pk).update(
        last_polled_at=now,
        last_success_at=now,
        last_counts={"read": 6, "created": 6, "updated": 0},
    )
    indicators.import_data(
        establishment,
        [Input("health-isac-demo.csv", ISAC_CSV.encode())],
        partner=created[PartnerKind.ISAC],
        default_tlp=TLP.GREEN,
    )
    _sighting(establishment, now)
    _taxii(establishment, created)
    _shared_incident(establishment, created[PartnerKind.CERT_SANTE], now)


def _shared_incident(establishment: Establishment, partner: Partner, now: datetime) -> None:
    """The demo incident, scrubbed and shared with CERT Santé (approved, downloaded)."""
    refs = incidents_requiring(establishment, SECTOR_CERT_OBLIGATION)
    if not refs:
        return  # no incident module, or no incident under the obligation
    # The platform reads the incident (an unsaved reader that sees every establishment: the
    # demo has no account); what is stored is only the scrubbed share, as for any share.
    reader = User(username="hygie-demo", is_superuser=True, is_active=True)
    content = read_incident(reader, refs[0])
    if content is None:
        return
    document, removed, title = sharing.build(content, ShareFormat.STIX21, TLP.AMBER)
    share = IncidentShare.objects.create(
        establishment=establishment,
        incident_ref=content.ref,
        incident_title=f"{content.reference} {title}"[:300],
        partner=partner,
        format=ShareFormat.STIX21,
        tlp=TlpLevel.AMBER,
        bundle=document,
        removed=removed,
        status=ShareStatus.DOWNLOADED,
        approved_at=now - timedelta(minutes=20),
    )
    audit.record(
        "export",
        share,
        message=f"incident {share.incident_ref} share downloaded ({share.format}, TLP {share.tlp})",
    )
    sharing.note_downloaded(share)


def _taxii(establishment: Establishment, partners: dict[PartnerKind, Partner]) -> None:
    collection = TaxiiCollection.objects.create(
        establishment=establishment,
        title="Indicateurs partagés (démo)",
        description="Indicateurs de l'établissement publiés pour ses partenaires.",
        alias="indicateurs-demo",
    )
    taxii_admin.publish_indicators(collection, None)
    for kind in (PartnerKind.CERT_SANTE, PartnerKind.ISAC):
        taxii_admin.set_access(
            collection, partners[kind], can_read=True, can_write=False, user=None
        )
    taxii_admin.generate_credential(partners[PartnerKind.CERT_SANTE], None)


def _sighting(establishment: Establishment, now: datetime) -> None:
    indicator = Indicator.objects.get(
        establishment=establishment, kind="ipv4", value="203.0.113.66"
    )
    seen = now - timedelta(hours=2)
    alert = raise_alert(
        establishment=establishment,
        source="intel",
        rule_id="intel:indicator",
        title="Indicateur partenaire vu : 203.0.113.66 (CERT Santé, TLP:AMBER)",
        description="Une connexion sortante du proxy vers un serveur de commande signalé par "
        "CERT Santé (démo).",
        severity=SeverityChoice.HIGH,
        group_key=f"intel:{indicator.pk}",
        tags=["attack.t1071.001"],
        details={"indicator": indicator.pk, "tlp": indicator.tlp, "kind": indicator.kind},
        seen_at=seen,
    )
    Sighting.objects.create(
        indicator=indicator,
        at=seen,
        source="detection",
        event_ref="demo:proxy:4711",
        observed_value="203.0.113.66",
        context={"field": "destination.ip", "host": "proxy-01", "log_source": "squid"},
        alert=alert,
    )
    Indicator.objects.filter(pk=indicator.pk).update(
        first_seen_at=seen, last_seen_at=seen, sighting_count=1
    )
