"""``hygie intel taxii collections|credential|publish|poll|push`` (the partner-facing parts
against medallion are in test_taxii_interop_medallion.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from hygie.intel.cli import intel as intel_cli
from hygie.intel.models import PartnerCredential, TaxiiObject
from tests.apps.intel.taxii_support import indicator, make_collection, make_partner

pytestmark = pytest.mark.django_db


def run(*args: str) -> Any:
    return CliRunner().invoke(intel_cli, ["taxii", *args])


def test_collections_credential_and_publish(establishment_a: Any, user_a: Any) -> None:
    from hygie.intel.engine.convert import Input
    from hygie.intel.services import indicators

    assert run("collections").exit_code == 1  # none yet
    collection = make_collection(establishment_a, "Published")
    indicators.import_data(establishment_a, [Input("a.txt", b"192.0.2.44\n")], from_="text")
    published = run("publish", "--collection", str(collection.pk))
    assert published.exit_code == 0, published.output
    assert "1 indicator(s) published" in published.output
    assert TaxiiObject.objects.filter(collection=collection, stix_type="indicator").count() == 1
    listed = run("collections", "--establishment", str(establishment_a.pk))
    assert listed.exit_code == 0 and str(collection.collection_id) in listed.output
    partner = make_partner(establishment_a)
    made = run("credential", "--partner", str(partner.pk))
    assert made.exit_code == 0
    secret = made.output.split("secret:")[1].split()[0]
    assert PartnerCredential.objects.get(partner=partner).check_secret(secret)


def test_invalid_input_exits_2(establishment_a: Any, tmp_path: Any) -> None:
    partner = make_partner(establishment_a)
    assert run("publish", "--collection", "999").exit_code == 2
    assert run("poll", "999").exit_code == 2
    assert run("poll").exit_code == 2
    broken = tmp_path / "bundle.json"
    broken.write_text("{not json")
    assert run("push", str(broken), "--partner", str(partner.pk)).exit_code == 2
    notbundle = tmp_path / "list.json"
    notbundle.write_text(json.dumps([indicator()]))
    assert run("push", str(notbundle), "--partner", str(partner.pk)).exit_code == 2
    assert run("push", "--partner", str(partner.pk)).exit_code == 2
