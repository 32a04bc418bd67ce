"""GDPR register services: presets, probes informing the processing register and DPIA
controls, the demo, the breach register read through the response module's landing panel."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from hygie.compliance.models import DPIA, ProcessingActivity
from hygie.compliance.services import registers
from hygie.core.registries import probes

pytestmark = pytest.mark.usefixtures("english")


def test_presets_prefill_in_the_active_language(establishment_a):
    from django.utils import translation

    with translation.override("fr"):
        values = registers.preset_initial("imaging", establishment_a)
    assert values["name"] == "Imagerie médicale (PACS / RIS)"
    assert values["controller"] == establishment_a.name
    assert values["special_category_exception"] == "h"
    assert registers.preset_initial("nope") == {}


def test_create_from_preset_validates_and_audits(establishment_a, user_a):
    from hygie.core.models import AuditEntry

    activity = registers.create_from_preset(establishment_a, "clinical-research", None)
    assert activity.special_category_exception == "j" and activity.has_special_categories
    assert activity.is_dpia_required
    assert AuditEntry.objects.filter(
        action="create", object_type="compliance.processingactivity", object_id=str(activity.pk)
    ).exists()
    with pytest.raises(ValidationError):
        registers.create_from_preset(establishment_a, "unknown", None)


def test_probes_are_registered_with_the_catalogue_controls():
    assert probes.get("compliance.processing_register_kept").controls == (
        "hygie.data.processing_register",
    )
    assert probes.get("compliance.dpia_where_required").controls == ("hygie.data.dpia",)


def test_processing_register_probe(establishment_a):
    run = probes.get("compliance.processing_register_kept").run
    assert run(establishment_a).status == "fail"
    registers.create_from_preset(establishment_a, "human-resources", None)
    assert run(establishment_a).status == "partial"  # drafts only
    registers.create_from_preset(establishment_a, "imaging", None, status="active")
    result = run(establishment_a)
    assert result.status == "pass" and result.data["in_operation"] == 1


def test_dpia_probe(establishment_a):
    run = probes.get("compliance.dpia_where_required").run
    registers.create_from_preset(establishment_a, "human-resources", None)  # no criteria
    assert run(establishment_a).status == "not_applicable"
    record = registers.create_from_preset(establishment_a, "patient-record", None)
    assert run(establishment_a).status == "fail"
    dpia = DPIA.objects.create(establishment=establishment_a, processing=record, title="AIPD")
    assert run(establishment_a).status == "fail"  # not validated yet
    DPIA.objects.filter(pk=dpia.pk).update(status="validated")
    assert run(establishment_a).status == "pass"


def test_demo_records_and_a_dpia(organisation, establishment_a, establishment_b):
    registers.load_demo(organisation, [establishment_a, establishment_b])
    activities = ProcessingActivity.objects.filter(establishment=establishment_a)
    assert activities.count() == len(registers.DEMO_PRESETS)
    assert not ProcessingActivity.objects.filter(establishment=establishment_b).exists()
    dpia = DPIA.objects.get(establishment=establishment_a)
    assessment = registers.assess(dpia)
    assert assessment.principles_assessed == 12
    assert {risk.residual.value for risk in assessment.risks} <= {"acceptable", "to_reduce"}
    assert assessment.is_ready_for_validation, registers.finding_messages(assessment)


def test_breach_register_counts_come_from_the_response_panel(make_user, establishment_a):
    dpo = make_user("dora", "dpo", [establishment_a])
    staff = make_user("sam", "staff", [establishment_a])
    assert registers.breach_register_counts(dpo) == {"total": 0, "open": 0}
    assert registers.breach_register_counts(staff) is None  # may not see incidents


def test_global_search_finds_register_entries_in_scope(make_user, establishment_a, establishment_b):
    from hygie.core.registries import search_providers

    registers.create_from_preset(establishment_a, "imaging", None, name="PACS Alpha")
    registers.create_from_preset(establishment_b, "imaging", None, name="PACS Beta")
    search = search_providers.get("compliance.registers").search
    dpo = make_user("dora", "dpo", [establishment_a])
    assert [hit.label for hit in search(dpo, "PACS")] == ["PACS Alpha"]
    assert search(make_user("sam", "staff", [establishment_a]), "PACS") == []
