"""Shared helpers of the TAXII tests: a partner with a credential, collections, STIX objects
(all synthetic: documentation IP ranges, example.org domains, random UUIDs)."""

from __future__ import annotations

import base64
import importlib
import os
import uuid
from types import ModuleType
from typing import Any

import pytest

from hygie.intel.engine.model import TLP
from hygie.intel.engine.tlp import TLP2_IDS, stix_marking_object

MEDIA = "application/taxii+json;version=2.1"
SECRET = "s3cret-partner-passphrase"


def basic(username: str, secret: str = SECRET) -> str:
    return "Basic " + base64.b64encode(f"{username}:{secret}".encode()).decode()


def make_partner(establishment: Any, name: str = "CERT Santé", max_tlp: TLP = TLP.AMBER) -> Any:
    from hygie.intel.models import Partner

    return Partner.objects.create(
        establishment=establishment, name=name, kind="cert_sante", max_tlp=max_tlp.value
    )


def make_credential(partner: Any, username: str | None = None) -> Any:
    from hygie.intel.models import PartnerCredential

    credential = PartnerCredential(
        partner=partner, username=username or f"p-{uuid.uuid4().hex[:8]}"
    )
    credential.set_secret(SECRET)
    credential.save()
    return credential


def make_collection(establishment: Any, title: str = "Hygie indicators", **extra: Any) -> Any:
    from hygie.intel.models import TaxiiCollection

    return TaxiiCollection.objects.create(establishment=establishment, title=title, **extra)


def grant(partner: Any, collection: Any, *, read: bool = True, write: bool = False) -> Any:
    from hygie.intel.models import TaxiiAccess

    return TaxiiAccess.objects.create(
        partner=partner, collection=collection, can_read=read, can_write=write
    )


def indicator(
    tlp: TLP | None = TLP.GREEN,
    *,
    stix_id: str | None = None,
    modified: str = "2026-11-01T00:00:00.000Z",
    value: str = "192.0.2.1",
) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": stix_id or f"indicator--{uuid.uuid4()}",
        "created": "2026-11-01T00:00:00.000Z",
        "modified": modified,
        "name": f"ipv4: {value}",
        "indicator_types": ["malicious-activity"],
        "pattern": f"[ipv4-addr:value = '{value}']",
        "pattern_type": "stix",
        "pattern_version": "2.1",
        "valid_from": "2026-11-01T00:00:00Z",
    }
    if tlp is not None:
        obj["object_marking_refs"] = [TLP2_IDS[tlp]]
    return obj


def marking(tlp: TLP) -> dict[str, Any]:
    return stix_marking_object(tlp)


def reference_tool(module: str) -> ModuleType:
    """An OASIS reference tool of the dev extra: skipped without it, but a failure in CI."""
    try:
        return importlib.import_module(module)
    except ImportError:
        reason = f"{module} is not installed (pip install -e '.[dev]')"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason, allow_module_level=True)
