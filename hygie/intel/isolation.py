"""The intel module's part of the isolation test (tests/apps/core/test_isolation.py): a partner
with its TAXII credential, a feed, an indicator with its provenance and a sighting, a TAXII
collection with an object, an access right and a status, and an incident share, all in
establishment B and carrying the marker. No intel object is installation-wide."""

from __future__ import annotations

from django.utils import timezone

from hygie.core.testing import IsolationPart, IsolationWorld, count_in
from hygie.intel.models import (
    Feed,
    IncidentShare,
    Indicator,
    IndicatorSource,
    Partner,
    PartnerCredential,
    Sighting,
    TaxiiAccess,
    TaxiiCollection,
    TaxiiObject,
    TaxiiStatus,
)

MODELS = (
    Partner,
    PartnerCredential,
    Feed,
    Indicator,
    IndicatorSource,
    Sighting,
    TaxiiCollection,
    TaxiiObject,
    TaxiiAccess,
    TaxiiStatus,
    IncidentShare,
)


def build_isolation(world: IsolationWorld) -> IsolationPart:
    marker, establishment = world.marker, world.establishment
    now = timezone.now()
    partner = Partner.objects.create(
        establishment=establishment,
        name=f"{marker} zeta CERT",
        kind="cert_sante",
        max_tlp="amber",
        notes=f"{marker} zeta",
    )
    credential = PartnerCredential(partner=partner, username=f"{marker}-zeta-taxii")
    credential.set_secret(f"{marker}-zeta-secret")
    credential.save()
    feed = Feed.objects.create(
        establishment=establishment,
        name=f"{marker} zeta feed",
        kind="stix_url",
        partner=partner,
        url=f"https://{marker.lower()}-zeta.invalid/feed.json",
    )
    indicator = Indicator.objects.create(
        establishment=establishment,
        kind="domain",
        value=f"{marker.lower()}-zeta.example",
        description=f"{marker} zeta indicator",
        tlp="green",
    )
    source = IndicatorSource.objects.create(
        indicator=indicator,
        feed=feed,
        partner=partner,
        source_name=f"{marker} zeta source",
        source_ref=f"{marker}-zeta-ref",
        imported_at=now,
    )
    sighting = Sighting.objects.create(
        indicator=indicator,
        at=now,
        event_ref=f"{marker}-zeta-event",
        observed_value=indicator.value,
        context={"host": f"{marker}-zeta-host"},
    )
    collection = TaxiiCollection.objects.create(
        establishment=establishment,
        title=f"{marker} zeta collection",
        description=f"{marker} zeta",
        alias=f"{marker.lower()}-zeta"[:100],
    )
    stix_object = TaxiiObject.objects.create(
        collection=collection,
        stix_id="indicator--00000000-0000-4000-8000-00000000beef",
        stix_type="indicator",
        version="2026-01-01T00:00:00.000Z",
        date_added=now,
        tlp="green",
        object={"type": "indicator", "name": f"{marker} zeta", "pattern": "[x:y = 'z']"},
    )
    access = TaxiiAccess.objects.create(partner=partner, collection=collection, can_write=True)
    status = TaxiiStatus.objects.create(
        collection=collection, partner=partner, successes=[f"{marker}-zeta-ok"]
    )
    share = IncidentShare.objects.create(
        establishment=establishment,
        incident_ref=f"{marker}-zeta-incident",
        incident_title=f"{marker} zeta incident",
        partner=partner,
        bundle={"note": f"{marker} zeta"},
    )
    return IsolationPart(
        objects=[
            partner,
            credential,
            feed,
            indicator,
            source,
            sighting,
            collection,
            stix_object,
            access,
            status,
            share,
        ],
        page_objects={
            "partner": partner,
            "feed": feed,
            "indicator": indicator,
            "sighting": sighting,
            "taxiicollection": collection,
            "incidentshare": share,
            "partnercredential": credential,
        },
        api_objects={
            "partner_id": partner,
            "intel_feed_id": feed,  # devices' feed_id is a FeedImport
            "indicator_id": indicator,
            "sighting_id": sighting,
            "intel_collection_id": collection,
            "share_id": share,
            "credential_id": credential,
        },
        page_parameter_allow_list=_taxii_routes(collection, stix_object, status),
        counts=lambda: count_in(establishment, *MODELS),
    )


def _taxii_routes(
    collection: TaxiiCollection, stix_object: TaxiiObject, status: TaxiiStatus
) -> dict[str, dict[str, tuple[str, ...]]]:
    """The TAXII 2.1 endpoints take a partner's credential (HTTP Basic), never a session: the
    walk's signed-in user of A is refused (401) whatever it names. They are walked with B's own
    API root, collection, object and status ids, so a leak would show; partners of another
    establishment are refused in tests/apps/intel/test_taxii_server.py."""
    root: dict[str, tuple[str, ...]] = {"api_root": (collection.api_root,)}
    one = {**root, "collection_id": (str(collection.collection_id),)}
    item = {**one, "object_id": (stix_object.stix_id,)}
    return {
        "intel:taxii_api_root": root,
        "intel:taxii_collections": root,
        "intel:taxii_status": {**root, "status_id": (str(status.status_id),)},
        "intel:taxii_status_unslashed": {**root, "status_id": (str(status.status_id),)},
        "intel:taxii_collection": one,
        "intel:taxii_manifest": one,
        "intel:taxii_objects": one,
        "intel:taxii_object": item,
        "intel:taxii_object_versions": item,
    }
