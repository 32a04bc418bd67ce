"""``hygie awareness training sync|assign|status``: the shipped catalogue into the database,
assignments to a group of the people directory, completion figures (platform commands)."""

from __future__ import annotations

import json
from datetime import datetime, time
from typing import Any

import click

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

# ``hygie.cli.runtime`` (setup_django, acting_as_operator), handed over by ``hygie.awareness.cli``:
# only a module's cli.py belongs to the CLI layer and may import it (layering contract).
runtime: Any = None


@click.group("training", help="Training: catalogue, assignments, completion.")
def training() -> None:
    pass


@training.command("sync")
@click.option("--check", is_flag=True, help="Only check the shipped catalogue (no database).")
def sync_command(check: bool) -> None:
    """Load the shipped modules (French and English) into the catalogue: a changed module gets
    a new version; completed training keeps the version that was passed."""
    from hygie.awareness.services.training_catalogue import CatalogueError, load_catalogue

    try:
        modules = load_catalogue()
    except CatalogueError as error:
        click.echo(f"catalogue: {error}", err=True)
        raise click.exceptions.Exit(EXIT_PROBLEMS) from None
    if check:
        slugs = sorted({module.slug for module in modules})
        click.echo(f"{len(slugs)} module(s), {len(modules)} text(s): catalogue valid")
        return
    setup_django, acting_as_operator = runtime.setup_django, runtime.acting_as_operator
    setup_django()
    from hygie.awareness.services import training as service

    with acting_as_operator():
        report = service.sync_catalogue(modules)
    for label in report.created:
        click.echo(f"new      {label}")
    for label in report.new_versions:
        click.echo(f"version  {label}")
    click.echo(
        f"{len(report.created)} new, {len(report.new_versions)} new version(s), "
        f"{report.unchanged} unchanged; {report.moved_assignments} assignment(s) moved"
    )


@training.command("assign")
@click.argument("slug")
@click.option("--establishment", "establishment_ids", type=int, multiple=True, required=True)
@click.option("--department", "departments", multiple=True, help="Department name (repeatable).")
@click.option("--profession", "professions", multiple=True, help="Profession (repeatable).")
@click.option("--due", type=click.DateTime(formats=["%Y-%m-%d"]), required=True, help="YYYY-MM-DD")
def assign_command(
    slug: str,
    establishment_ids: tuple[int, ...],
    departments: tuple[str, ...],
    professions: tuple[str, ...],
    due: datetime,
) -> None:
    """Assign module SLUG to the active people of the establishments (narrowed to departments
    and professions). Invitations leave with the next reminder run."""
    setup_django, acting_as_operator = runtime.setup_django, runtime.acting_as_operator
    setup_django()
    from django.utils import timezone

    from hygie.awareness.services import training as service
    from hygie.core.models import Department, Establishment

    establishments = list(Establishment.objects.filter(pk__in=establishment_ids))
    missing = set(establishment_ids) - {e.pk for e in establishments}
    if missing:
        click.echo(f"establishment(s) not found: {sorted(missing)}", err=True)
        raise click.exceptions.Exit(EXIT_USAGE)
    department_ids: list[int] = []
    for name in departments:
        found = list(
            Department.objects.filter(
                establishment__in=establishments, name__iexact=name
            ).values_list("pk", flat=True)
        )
        if not found:
            click.echo(f"department not found: {name}", err=True)
            raise click.exceptions.Exit(EXIT_USAGE)
        department_ids += found
    people = service.active_people(
        establishments, department_ids=department_ids, professions=professions
    )
    due_at = timezone.make_aware(datetime.combine(due.date(), time(23, 59)))
    try:
        with acting_as_operator():
            report = service.assign(slug, people, due_at=due_at)
    except ValueError as error:
        click.echo(str(error), err=True)
        raise click.exceptions.Exit(EXIT_USAGE) from None
    if report.without_module and not report.created and not report.already_assigned:
        click.echo(f"no published module '{slug}' (run: hygie awareness training sync)", err=True)
        raise click.exceptions.Exit(EXIT_PROBLEMS)
    click.echo(
        f"{len(report.created)} assignment(s) created, {report.already_assigned} already open"
    )


@training.command("status")
@click.option("--establishment", "establishment_ids", type=int, multiple=True)
@click.option(
    "--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def status_command(establishment_ids: tuple[int, ...], output: str) -> None:
    """Completion by department: staff trained in the last 12 months."""
    runtime.setup_django()
    from hygie.awareness.services import training as service
    from hygie.core.models import Establishment

    queryset = Establishment.objects.order_by("pk")
    if establishment_ids:
        queryset = queryset.filter(pk__in=establishment_ids)
    result: list[dict[str, Any]] = []
    for establishment in queryset:
        rates = service.completion_by_department([establishment])
        result.append(
            {
                "establishment": establishment.name,
                "departments": [
                    {
                        "department": str(rate.department),
                        "people": rate.people,
                        "trained": rate.trained,
                        "percent": rate.percent,
                    }
                    for rate in rates
                ],
            }
        )
    if output == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for item in result:
        people = sum(d["people"] for d in item["departments"])
        trained = sum(d["trained"] for d in item["departments"])
        click.echo(f"{item['establishment']}: {trained}/{people} trained in the last 12 months")
        for department in item["departments"]:
            click.echo(
                f"  {department['department']:<40} {department['trained']:>5}/"
                f"{department['people']:<5} {department['percent']:>3} %"
            )
