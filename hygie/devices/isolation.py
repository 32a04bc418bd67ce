"""The devices module's part of the isolation test (tests/apps/core/test_isolation.py): a
medical-device asset with its device record, a device vulnerability and an inventory import in
establishment B, each carrying the marker; a device's SBOM (its advisory and feed import) is B's
too and carries it. Public advisories, CVEs, public feed imports and vendor aliases are the
installation's reference data (no establishment): built without the marker and allow-listed."""

from __future__ import annotations

from hygie.core.models import Asset
from hygie.core.testing import IsolationPart, IsolationWorld, count_in
from hygie.devices.models import (
    Advisory,
    Device,
    DeviceVulnerability,
    DiscoveredCandidate,
    DiscoveryRun,
    FeedImport,
    InventoryImport,
    ObservedFlow,
    SegmentationPolicy,
    SegmentationViolation,
    VendorAlias,
    Vulnerability,
)


def build_isolation(world: IsolationWorld) -> IsolationPart:
    marker, establishment = world.marker, world.establishment
    asset = Asset.objects.create(
        establishment=establishment,
        hostname=f"{marker}-zeta-devpump",
        kind="medical_device",
        ip_addresses=["10.99.0.7"],
    )
    device = Device.objects.create(
        asset=asset,
        establishment=establishment,
        manufacturer=f"Zeta {marker}",
        model_name=f"Pump {marker}",
        version="1.0",
        serial_number=f"{marker}-serial",
        clinical_function="life_sustaining",
    )
    other_asset = Asset.objects.create(
        establishment=establishment, hostname=f"{marker}-zeta-devtwin", kind="medical_device"
    )
    twin = Device.objects.create(
        asset=other_asset, establishment=establishment, manufacturer=f"Zeta {marker}"
    )
    feed = FeedImport.objects.create(kind="csaf", name="iso.json", sha256="0" * 64)
    advisory = Advisory.objects.create(
        tracking_id="ISO-ADVISORY-1", title="Isolation advisory", sha256="0" * 64
    )
    vulnerability = Vulnerability.objects.create(cve="CVE-2000-0001", cvss_score=5.0)
    alias = VendorAlias.objects.create(alias="Iso Vendor Alias", canonical="Iso Vendor")
    # A device's SBOM: its document and file belong to B (product names are the hospital's).
    sbom_feed = FeedImport.objects.create(
        kind="sbom",
        name=f"{marker}-zeta-sbom.cdx.json",
        sha256="1" * 64,
        establishment=establishment,
    )
    sbom_advisory = Advisory.objects.create(
        source="sbom",
        tracking_id=f"sbom-device-{device.pk}",
        title=f"Zeta {marker} firmware bundle 1.0",
        publisher="CycloneDX",
        sha256="1" * 64,
        document={"device": device.pk, "name": f"Zeta {marker}", "components": []},
        feed_import=sbom_feed,
        establishment=establishment,
    )
    link = DeviceVulnerability.objects.create(
        device=device,
        vulnerability=vulnerability,
        advisory=advisory,
        key=f"csaf:{marker}",
        status="known_affected",
        why=f"{marker} zeta matched",
        remediation=f"{marker} update",
    )
    job = InventoryImport.objects.create(
        establishment=establishment,
        sha256="0" * 64,
        columns=["hostname", f"{marker} zeta"],
        rows=[[f"{marker}-zeta-new", "x"]],
    )
    # passive discovery and segmentation (DISCOVERY)
    run = DiscoveryRun.objects.create(
        establishment=establishment,
        name=f"{marker}-zeta.pcap",
        sha256="0" * 64,
        status="succeeded",
        counts={"candidates": 1},
    )
    candidate = DiscoveredCandidate.objects.create(
        run=run,
        establishment=establishment,
        key="ip:10.99.0.8",
        ip_addresses=["10.99.0.8"],
        name=f"{marker}-zeta-seen",
        manufacturer=f"Zeta {marker}",
        confidence=0.5,
        evidence=[
            {"kind": "dicom.ae_title", "value": f"{marker}-zeta-ae", "weight": 0.3, "count": 1}
        ],
    )
    flow = ObservedFlow.objects.create(
        establishment=establishment,
        run=run,
        src="10.99.0.8",
        dst="10.99.0.9",
        port=104,
        protocol="tcp",
        application="dicom",
    )
    # One policy per establishment: the demo may have given B one already.
    policy, _created = SegmentationPolicy.objects.update_or_create(
        establishment=establishment,
        defaults={
            "document": f"zones:\n  - name: zeta\n    networks: [10.99.0.0/16]\n"
            f"    description: {marker} zeta\nallow: []\n"
        },
    )
    violation = SegmentationViolation.objects.create(
        establishment=establishment,
        src="10.99.0.8",
        dst="10.99.0.9",
        port=104,
        protocol="tcp",
        src_zone="zeta",
        dst_zone="zeta",
    )
    shared = {
        "advisory": (str(advisory.pk),),
        "vulnerability": (str(vulnerability.pk),),
        "feed": (str(feed.pk),),
        "alias": (str(alias.pk),),
    }
    return IsolationPart(
        objects=[
            asset,
            device,
            twin,
            link,
            job,
            run,
            candidate,
            flow,
            policy,
            violation,
            sbom_feed,
            sbom_advisory,
        ],
        page_objects={
            "advisory": sbom_advisory,
            "feedimport": sbom_feed,
            "device": device,
            "devicevulnerability": link,
            "inventoryimport": job,
            "discoveryrun": run,
            "discoveredcandidate": candidate,
        },
        api_objects={
            "advisory_id": sbom_advisory,
            "feed_id": sbom_feed,
            "device_id": device,
            "link_id": link,
            "import_id": job,
            "other_id": twin,
            "device": device,
            "discovery_id": run,
            "candidate_id": candidate,
        },
        page_parameter_allow_list={
            # Installation-wide public data (CSAF/NVD documents, CVEs, feed files, aliases):
            # the same for every establishment, and built without B's marker.
            "devices:vulnerability_detail": {"pk": shared["vulnerability"]},
            "devices:vendoralias_detail": {"pk": shared["alias"]},
            "devices:vendoralias_edit": {"pk": shared["alias"]},
            "devices:vendoralias_delete": {"pk": shared["alias"]},
        },
        api_parameter_allow_list={
            # The same public reference data through the API.
            "get_vulnerability": {"vulnerability_id": shared["vulnerability"]},
            "get_vendor_alias": {"alias_id": shared["alias"]},
            "replace_vendor_alias": {"alias_id": shared["alias"]},
            "delete_vendor_alias": {"alias_id": shared["alias"]},
        },
        counts=lambda: count_in(
            establishment,
            Advisory,
            FeedImport,
            Device,
            DeviceVulnerability,
            InventoryImport,
            DiscoveryRun,
            DiscoveredCandidate,
            ObservedFlow,
            SegmentationPolicy,
            SegmentationViolation,
        ),
        links_to_b=lambda: [],
    )
