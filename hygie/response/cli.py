"""``hygie response``: incident response tools that run without a database or Django.

``hygie response obligations FACTS.yaml``: the regulatory clocks. For crisis cells and exercises:
describe the establishment and the incident in a small YAML file (see docs/examples/), get every
obligation with its reason, recipient and deadline. Exit codes: 0 assessed, 2 unreadable or
invalid facts.

``hygie response playbook check FILE...`` and ``hygie response scenario check FILE...``: validate
playbook files (docs/response-playbooks.md) and crisis-exercise scenarios
(docs/response-exercises.md) before importing them, e.g. in the CI of a repository where a GHT
keeps them. Every problem is printed as ``file:line: path: message``. Exit codes: 0 all valid, 1
at least one invalid document, 2 a file cannot be read.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn, TypeVar
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.table import Table

from hygie.response.engine import (
    MAX_FACTS_BYTES,
    Facts,
    FactsError,
    Obligation,
    Verification,
    assess,
    facts_from_yaml,
)
from hygie.response.engine.errors import DocumentError
from hygie.response.engine.playbooks import MAX_PLAYBOOK_BYTES, Playbook, parse_playbook
from hygie.response.engine.scenarios import MAX_SCENARIO_BYTES, Scenario, parse_scenario

EXIT_INVALID = 2
EXIT_DOCUMENT_INVALID = 1
EXIT_UNREADABLE = 2
# Rich falls back to 80 columns off a terminal, too narrow for reasons and legal bases.
MIN_TABLE_WIDTH = 140
DISCLAIMER = {
    "en": (
        "Decision support, not legal advice. UNVERIFIED: the rule was not checked against "
        "the official text; see docs/regulatory-clocks.md."
    ),
    "fr": (
        "Aide à la décision, pas un avis juridique. UNVERIFIED : la règle n'a pas été vérifiée "
        "sur le texte officiel ; voir docs/regulatory-clocks.md."
    ),
}
# The table's own words; the obligations' texts come from the engine in both languages.
LABELS = {
    "en": {
        "obligation": "Obligation",
        "applies": "Applies",
        "deadline": "Deadline",
        "recipient": "Recipient and legal basis",
        "why": "Why",
        "yes": "yes",
        "no": "no",
        "provisional": "provisional",
        "states": "States",
        "note": "Note",
        "establishment": "Establishment",
        "discovered": "discovered",
        "local": "local",
        "colon": ": ",
    },
    "fr": {
        "obligation": "Obligation",
        "applies": "S'applique",
        "deadline": "Échéance",
        "recipient": "Destinataire et base légale",
        "why": "Pourquoi",
        "yes": "oui",
        "no": "non",
        "provisional": "provisoire",
        "states": "États",
        "note": "Note",
        "establishment": "Établissement",
        "discovered": "découvert le",
        "local": "heure locale",
        "colon": " : ",
    },
}


def default_language() -> str:
    """French when the LANG environment variable starts with fr, else English."""
    return "fr" if os.environ.get("LANG", "").lower().startswith("fr") else "en"


def _fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    raise click.exceptions.Exit(EXIT_INVALID)


def _read_facts(path: Path) -> Facts:
    # Read one byte past the cap: enough to know the file is too large, never the whole of it.
    with path.open("rb") as handle:
        raw = handle.read(MAX_FACTS_BYTES + 1)
    if len(raw) > MAX_FACTS_BYTES:
        _fail(f"{path}: facts file larger than {MAX_FACTS_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        _fail(f"{path}: not UTF-8 text")
    try:
        return facts_from_yaml(text, source=str(path))
    except FactsError as error:
        _fail(str(error))


def _applies_cell(obligation: Obligation, words: dict[str, str]) -> str:
    if not obligation.applies:
        return f"[dim]{words['no']}[/dim]"
    return (
        f"[bold yellow]{words['yes']}\n({words['provisional']})[/]"
        if obligation.provisional
        else f"[bold red]{words['yes']}[/]"
    )


def _basis_cell(obligation: Obligation) -> str:
    flag = (
        "[yellow]UNVERIFIED[/]"
        if obligation.verification is Verification.UNVERIFIED
        else "[green]VERIFIED[/]"
    )
    return f"{obligation.legal_basis}\n{flag}"


def _reason_cell(obligation: Obligation, language: str, words: dict[str, str]) -> str:
    wording = obligation.text(language)
    parts = [wording.reason]
    if obligation.states:
        parts.append(f"{words['states']}{words['colon']}" + ", ".join(obligation.states))
    parts.extend(f"[dim]{words['note']}{words['colon']}{note}[/dim]" for note in wording.notes)
    return "\n".join(parts)


def _render_table(facts: Facts, obligations: list[Obligation], language: str) -> None:
    words = LABELS[language]
    console = Console(highlight=False)
    if not console.is_terminal:
        console.width = max(console.width, MIN_TABLE_WIDTH)
    zone = ZoneInfo(facts.establishment.timezone)
    discovered = facts.incident.discovered_at
    title = facts.establishment.name or words["establishment"]
    console.print(
        f"[bold]{title}[/bold] ({facts.establishment.country}, "
        f"{facts.establishment.timezone}): {facts.incident.category.value}, "
        f"{words['discovered']} {discovered.astimezone(zone):%Y-%m-%d %H:%M %Z} "
        f"{words['local']}"
    )
    table = Table(show_lines=True, expand=True)
    # Ids and instants are what people copy: never cut them, let the prose columns wrap.
    table.add_column(words["obligation"], width=22, overflow="fold")
    table.add_column(words["applies"], width=13)
    table.add_column(words["deadline"], width=22, overflow="fold")
    table.add_column(words["recipient"], ratio=3, overflow="fold")
    table.add_column(words["why"], ratio=5, overflow="fold")
    for obligation in sorted(obligations, key=lambda o: not o.applies):
        wording = obligation.text(language)
        deadline = obligation.deadline.describe(zone, language) if obligation.deadline else "-"
        table.add_row(
            f"{obligation.id.value}\n[dim]{wording.title}[/dim]",
            _applies_cell(obligation, words),
            deadline,
            f"{wording.recipient}\n[dim]{_basis_cell(obligation)}[/dim]",
            _reason_cell(obligation, language, words),
        )
    console.print(table)
    console.print(f"[dim]{DISCLAIMER[language]}[/dim]")


@click.group(name="response")
def response() -> None:
    """Incident response tools that run without the platform."""


@response.command(name="obligations")
@click.argument(
    "facts_file",
    metavar="FACTS.yaml",
    type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path),
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table for people, json for tools.",
)
@click.option(
    "--lang",
    "language",
    type=click.Choice(["fr", "en"]),
    default=None,
    help="Language of the table's texts (default: fr when $LANG starts with fr, else "
    "en). The JSON output always carries both, under texts.fr and texts.en.",
)
def obligations(facts_file: Path, output_format: str, language: str | None) -> None:
    """Which notification obligations the incident in FACTS.yaml triggers, and by when.

    Every obligation is listed, applying or not, with its reason. Day-counted deadlines are
    dates on the establishment's calendar; hour-counted ones are instants in UTC.
    """
    facts = _read_facts(facts_file)
    result = assess(facts.establishment, facts.incident)
    if output_format == "json":
        click.echo(json.dumps([o.to_dict() for o in result], indent=2, ensure_ascii=False))
    else:
        _render_table(facts, result, language or default_language())


@response.group(name="playbook")
def playbook() -> None:
    """Incident response playbooks (YAML)."""


@response.group(name="scenario")
def scenario() -> None:
    """Crisis-exercise scenarios (YAML)."""


def _read_document(path: Path, max_bytes: int) -> str | None:
    """The file's text, or None after printing why it cannot be read."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as error:
        click.echo(f"{path}: cannot be read ({error.strerror or 'error'})", err=True)
        return None
    if len(raw) > max_bytes:
        click.echo(f"{path}: larger than {max_bytes} bytes", err=True)
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        click.echo(f"{path}: not UTF-8 text", err=True)
        return None


Parsed = TypeVar("Parsed")


def _check_documents(
    files: tuple[Path, ...],
    max_bytes: int,
    parse: Callable[[str, str], Parsed],
    describe: Callable[[Parsed], str],
    quiet: bool,
) -> None:
    unreadable = invalid = False
    for path in files:
        text = _read_document(path, max_bytes)
        if text is None:
            unreadable = True
            continue
        try:
            parsed = parse(text, str(path))
        except DocumentError as error:
            invalid = True
            for problem in error.problems:
                click.echo(f"{path}:{problem.line or 0}: {problem.path}: {problem.message}")
            continue
        if not quiet:
            click.echo(f"{path}: ok ({describe(parsed)})")
    if unreadable:
        raise click.exceptions.Exit(EXIT_UNREADABLE)
    if invalid:
        raise click.exceptions.Exit(EXIT_DOCUMENT_INVALID)


_FILES = click.argument(
    "files",
    metavar="FILE...",
    nargs=-1,
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
)
_QUIET = click.option(
    "--quiet", "-q", is_flag=True, help="Print problems only, not the valid files."
)


def _describe_playbook(parsed: Playbook) -> str:
    return f"{parsed.key} {parsed.version}, {parsed.step_count} steps" + (
        f", {len(parsed.contacts_to_complete)} contact(s) to complete"
        if parsed.contacts_to_complete
        else ""
    )


def _describe_scenario(parsed: Scenario) -> str:
    return f"{parsed.key} {parsed.version}, {len(parsed.injects)} injects"


@playbook.command(name="check")
@_FILES
@_QUIET
def check(files: tuple[Path, ...], quiet: bool) -> None:
    """Validate playbook files: every problem as file:line: path: message.

    Exit 0 when every file is a valid playbook, 1 when at least one is not, 2 when a file cannot
    be read (missing, too large, not UTF-8).
    """
    _check_documents(files, MAX_PLAYBOOK_BYTES, parse_playbook, _describe_playbook, quiet)


@scenario.command(name="check")
@_FILES
@_QUIET
def check_scenarios(files: tuple[Path, ...], quiet: bool) -> None:
    """Validate crisis-exercise scenario files: every problem as file:line: path: message.

    Exit 0 when every file is a valid scenario, 1 when at least one is not, 2 when a file
    cannot be read (missing, too large, not UTF-8).
    """
    _check_documents(files, MAX_SCENARIO_BYTES, parse_scenario, _describe_scenario, quiet)
