"""``hygie compliance sync-library`` and ``run-probes`` (platform commands)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from hygie.cli import cli
from hygie.compliance.models import Framework, ProbeRun

pytestmark = pytest.mark.django_db(transaction=False)


def test_sync_library_is_idempotent():
    first = CliRunner().invoke(cli, ["compliance", "sync-library"])
    assert first.exit_code == 0, first.output
    count = Framework.objects.count()
    assert count and "framework(s) loaded" in first.output
    second = CliRunner().invoke(cli, ["compliance", "sync-library"])
    assert second.exit_code == 0 and "(0 new" in second.output
    assert Framework.objects.count() == count


def test_run_probes(establishment_a):
    done = CliRunner().invoke(
        cli, ["compliance", "run-probes", "--establishment", str(establishment_a.pk)]
    )
    assert done.exit_code == 0, done.output
    assert establishment_a.name in done.output
    assert ProbeRun.objects.filter(establishment=establishment_a).exists()
    missing = CliRunner().invoke(cli, ["compliance", "run-probes", "--establishment", "999999"])
    assert missing.exit_code == 1
