"""A module is one folder: a throwaway module, written to a temporary folder and installed the way
a third-party module is (a ``hygie.modules`` entry point), is wired everywhere without any edit
of Hygie — app registration, model and migration, page, API route, CLI command, navigation,
probe, search, job and periodic job, alert-page section, demo data, translation catalogue, and
its part of the isolation test.

Apps load once per process, so the wiring is checked in a subprocess with its own data folder.
"""

from __future__ import annotations

import array
import json
import os
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.apps.core.cli_helpers import migrated_home

REPO = Path(__file__).resolve().parents[2]
PACKAGE = "hygie_tryout"
FRENCH = {"Tryout sightings": "Relevés d’essai", "Sightings": "Relevés"}

FILES = {
    "__init__.py": '"""A throwaway Hygie module (tests/contracts/test_module_discovery.py)."""\n',
    "module.py": """
        from hygie.modules import Module

        MODULE = Module(label="tryout", order=950,
                        commands={"tryout": "hygie_tryout.cli:tryout"},
                        engine_commands=frozenset({"tryout"}))
        """,
    "apps.py": """
        from django.apps import AppConfig


        class TryoutConfig(AppConfig):
            name = "hygie_tryout"
            label = "tryout"
            default_auto_field = "django.db.models.BigAutoField"
        """,
    "models.py": """
        from django.db import models


        class Sighting(models.Model):
            \"\"\"Something seen in an establishment.\"\"\"

            scope_path = "establishment"
            establishment = models.ForeignKey("core.Establishment", on_delete=models.CASCADE)
            name = models.CharField(max_length=100)
        """,
    "migrations/__init__.py": "",
    "migrations/0001_initial.py": """
        import django.db.models.deletion
        from django.db import migrations, models


        class Migration(migrations.Migration):
            initial = True
            dependencies = [("core", "0001_initial")]
            operations = [migrations.CreateModel(name="Sighting", fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
                ("name", models.CharField(max_length=100)),
                ("establishment", models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE, to="core.establishment")),
            ])]
        """,
    "views.py": """
        from django.http import HttpResponse
        from django.utils.translation import gettext as _

        from hygie_tryout.models import Sighting


        def sighting_list(request):
            names = ", ".join(Sighting.objects.values_list("name", flat=True))
            return HttpResponse(f"<h1>{_('Tryout sightings')}</h1><p>{names}</p>")
        """,
    "urls.py": """
        from django.urls import path

        from hygie_tryout import views

        app_name = "tryout"
        urlpatterns = [path("sightings/", views.sighting_list, name="sighting_list")]
        """,
    "api.py": """
        from ninja import Router

        from hygie_tryout.models import Sighting

        router = Router(tags=["Tryout"])


        @router.get("/sightings", response=list[str], operation_id="list_sightings",
                    url_name="tryout_sighting_list")
        def list_sightings(request):
            return list(Sighting.objects.values_list("name", flat=True))
        """,
    "cli.py": """
        import sys

        import click


        @click.command()
        def tryout():
            \"\"\"Say whether Django was started (an engine command must not start it).\"\"\"
            click.echo(f"tryout django-loaded={'django' in sys.modules}")
        """,
    "navigation.py": """
        from django.utils.translation import gettext_lazy as _

        from hygie.core.registries import NavItem, NavSection, navigation

        navigation.register("tryout", NavSection(
            key="tryout", label=_("Tryout sightings"), order=950,
            items=(NavItem(_("Sightings"), "tryout:sighting_list"),)))
        """,
    "probes.py": """
        from hygie.core.registries import Probe, ProbeResult, probes
        from hygie_tryout.models import Sighting


        def sightings_recorded(establishment):
            count = Sighting.objects.filter(establishment=establishment).count()
            return ProbeResult("pass" if count else "fail", f"{count} sighting(s)",
                               {"count": count})


        probes.register("tryout.sightings_recorded", Probe(
            id="tryout.sightings_recorded", title="Sightings are recorded",
            controls=("hygie.tryout.recording",), run=sightings_recorded))
        """,
    "search.py": """
        from hygie.core.registries import SearchHit, SearchProvider, search_providers
        from hygie_tryout.models import Sighting


        def search(user, text):
            return [SearchHit(label=s.name, url="/tryout/sightings/", kind="sighting")
                    for s in Sighting.objects.filter(name__icontains=text)]


        search_providers.register("tryout", SearchProvider("tryout", "Sightings", search))
        """,
    "jobs.py": """
        from datetime import timedelta

        from hygie.core.services.jobs import register_job
        from hygie.core.services.scheduler import register_periodic
        from hygie_tryout.models import Sighting


        @register_job("tryout.count_sightings", "Count sightings")
        def count_sightings(run):
            return {"count": Sighting.objects.count()}


        register_periodic("tryout.count_sightings", timedelta(hours=1))
        """,
    "alert_sections.py": """
        from hygie.core.views.alerts import AlertSection, alert_sections

        alert_sections.register("tryout", lambda alert, user: AlertSection(
            "tryout/partials/_alert.html", {"alert": alert}))
        """,
    "demo.py": """
        from hygie_tryout.models import Sighting


        def load_demo(organisation, establishments):
            for establishment in establishments:
                Sighting.objects.create(establishment=establishment,
                                        name=f"Demo sighting at {establishment.name}")
        """,
    "isolation.py": """
        from hygie.core.testing import IsolationPart, count_in
        from hygie_tryout.models import Sighting


        def build_isolation(world):
            sighting = Sighting.objects.create(establishment=world.establishment,
                                               name=f"Sighting {world.marker}")
            return IsolationPart(objects=[sighting], page_objects={"sighting": sighting},
                                 counts=lambda: count_in(world.establishment, Sighting))
        """,
    "templates/tryout/partials/_alert.html": "<p>{{ alert.title }}</p>\n",
    "locale/fr/LC_MESSAGES/django.po": "".join(
        f'msgid "{english}"\nmsgstr "{french}"\n\n' for english, french in FRENCH.items()
    ),
}

# What the subprocess checks once Django is set up; it prints one JSON object.
CHECK = """
import json

import django

django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

call_command("migrate", verbosity=0)

from hygie.core.models import Establishment, Job, Organisation, User
from hygie.core.registries import navigation, probes, search_providers
from hygie.core.services.demo import load_demo
from hygie.core.services.jobs import job_kinds, start_job
from hygie.core.services.scheduler import periodic_jobs
from hygie.core.testing import IsolationWorld, isolation_parts, login_with_mfa
from hygie.core.views.alerts import alert_sections
from hygie.lib.registry import Registry
from hygie_tryout.models import Sighting

found = {}
found["installed"] = "hygie_tryout" in settings.INSTALLED_APPS
found["registries"] = {
    "navigation": "tryout" in navigation, "probes": "tryout.sightings_recorded" in probes,
    "search": "tryout" in search_providers, "jobs": "tryout.count_sightings" in job_kinds,
    "periodic": "tryout.count_sightings" in periodic_jobs,
    "alert_sections": "tryout" in alert_sections,
}
found["unfrozen"] = sorted(r.name for r in Registry._instances if not r.is_frozen)

load_demo()
found["demo_sightings"] = Sighting.objects.count()
found["establishments"] = Establishment.objects.count()
hospital = Establishment.objects.order_by("pk").first()
found["probe"] = probes.get("tryout.sightings_recorded").run(hospital).status

admin = User.objects.create_user(username="tryout-admin", password="correct horse battery 1",
                                 role="admin", email="tryout-admin@example.org",
                                 has_all_establishments=True)
client = login_with_mfa(Client(), admin)
page = client.get(reverse("tryout:sighting_list"), HTTP_ACCEPT_LANGUAGE="fr")
found["page"] = [reverse("tryout:sighting_list"), page.status_code, page.content.decode()]
answer = client.get(reverse("api:tryout_sighting_list"))
found["api"] = [reverse("api:tryout_sighting_list"), answer.status_code, answer.json()]
found["openapi"] = "/api/v1/tryout/sightings" in client.get("/api/v1/openapi.json").json()["paths"]
with translation.override("fr"):
    found["translation"] = translation.gettext("Tryout sightings")
job = start_job("tryout.count_sightings", "Count sightings")
job.refresh_from_db()
found["job"] = [job.status, job.result]

from hygie.core.models import Alert, Asset, Department, Person

sites = list(Establishment.objects.order_by("pk"))
clinic = sites[1]
world = IsolationWorld(
    marker="tryoutmarker", organisation=clinic.organisation, establishment=clinic,
    department=Department.objects.filter(establishment=clinic).first(),
    person=Person.objects.filter(establishment=clinic).first(),
    asset=Asset.objects.filter(establishment=clinic).first(),
    alert=Alert.objects.filter(establishment=clinic).first(), user=admin,
    establishment_a=sites[0])
parts = isolation_parts(world)
found["isolation"] = [list(parts), parts["tryout"].counts()]
print("RESULT " + json.dumps(found))
"""


def _write_mo(path: Path, catalogue: dict[str, str]) -> None:
    """A GNU .mo file (what ``msgfmt`` writes), so the test needs no gettext tools."""
    entries = {"": "Content-Type: text/plain; charset=UTF-8\n", **catalogue}
    keys = sorted(entries)
    ids = strs = b""
    offsets = []
    for key in keys:
        key_bytes, value_bytes = key.encode(), entries[key].encode()
        offsets.append((len(ids), len(key_bytes), len(strs), len(value_bytes)))
        ids += key_bytes + b"\0"
        strs += value_bytes + b"\0"
    key_start = 7 * 4 + 16 * len(keys)
    value_start = key_start + len(ids)
    table: list[int] = []
    for id_offset, id_length, _, _ in offsets:
        table += [id_length, id_offset + key_start]
    for _, _, str_offset, str_length in offsets:
        table += [str_length, str_offset + value_start]
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0)
    path.write_bytes(header + array.array("i", table).tobytes() + ids + strs)


@pytest.fixture(scope="module")
def tryout(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The module's folder on a fresh path, declared by an installed distribution's entry
    point; returns the environment of a process that has it installed."""
    root = tmp_path_factory.mktemp("site")
    for relative, content in FILES.items():
        path = root / PACKAGE / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content).lstrip(), encoding="utf-8")
    _write_mo(root / PACKAGE / "locale/fr/LC_MESSAGES/django.mo", FRENCH)
    dist = root / "hygie_tryout-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: hygie-tryout\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[hygie.modules]\ntryout = {PACKAGE}\n")
    # A copy of the run's migrated data folder: the subprocess's migrate then applies only the
    # module's own migration (migrating from nothing costs ~11 s of CPU).
    home = migrated_home(tmp_path_factory, tmp_path_factory.mktemp("tryout") / "home")
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("HYGIE_", "DJANGO_"))
    }
    env.update(
        PYTHONPATH=os.pathsep.join([str(root), str(REPO)]),
        HYGIE_HOME=str(home),
        HYGIE_DATABASE_URL=f"sqlite:///{home / 'hygie.sqlite3'}",
        DJANGO_SETTINGS_MODULE="hygie.settings.test",
    )
    return env


def _run(env: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *arguments],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_a_new_module_is_wired_everywhere_without_editing_hygie(tryout: dict[str, str]) -> None:
    done = _run(tryout, "-c", CHECK)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.split("RESULT ", 1)[1])

    assert found["installed"]
    assert all(found["registries"].values()), found["registries"]
    assert found["unfrozen"] == [], "every registry is frozen once apps are ready"
    assert found["demo_sightings"] == found["establishments"] > 0  # its demo hook ran
    assert found["probe"] == "pass"
    url, status, content = found["page"]
    assert url == "/tryout/sightings/" and status == 200
    assert "Relevés d’essai" in content and "Demo sighting at" in content
    url, status, body = found["api"]
    assert url == "/api/v1/tryout/sightings" and status == 200 and len(body) >= 1
    assert found["openapi"]
    assert found["translation"] == "Relevés d’essai"
    assert found["job"][0] == "succeeded" and found["job"][1] == {"count": found["demo_sightings"]}
    labels, counts = found["isolation"]
    assert labels[-1] == "tryout" and counts == {"Sighting": 2}  # its demo row and its B row


def test_a_new_module_brings_its_command_which_never_starts_django(tryout: dict[str, str]) -> None:
    listed = _run(tryout, "-m", "hygie.cli", "--help")
    assert listed.returncode == 0 and "tryout" in listed.stdout, listed.stderr
    ran = _run(tryout, "-m", "hygie.cli", "tryout")
    assert ran.returncode == 0, ran.stderr
    assert "tryout django-loaded=False" in ran.stdout
