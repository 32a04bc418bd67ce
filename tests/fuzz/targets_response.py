"""Fuzz targets of the response engine: playbooks, exercise scenarios, facts, observables."""

from __future__ import annotations

from .target import Loaded, Target, package_files, text

_RESPONSE = ("hygie.response", "hygie.lib", "yaml")


def _playbook() -> Loaded:
    from hygie.response.engine import PlaybookError, parse_playbook

    return (lambda data: parse_playbook(text(data), "fuzz.yaml")), (PlaybookError,)


def _scenario() -> Loaded:
    from hygie.response.engine import ScenarioError, parse_scenario

    return (lambda data: parse_scenario(text(data), "fuzz.yaml")), (ScenarioError,)


def _facts() -> Loaded:
    from hygie.response.engine import FactsError, assess, facts_from_yaml

    def parse_and_assess(data: bytes) -> object:
        """Facts that parse are assessed too: the clocks must cope with any valid document."""
        facts = facts_from_yaml(text(data), "fuzz.yaml")
        return assess(facts.establishment, facts.incident)

    return parse_and_assess, (FactsError,)


def _observable() -> Loaded:
    from hygie.response.engine import ObservableError, normalise_observable
    from hygie.response.engine.observables import KINDS

    def normalise(data: bytes) -> object:
        """Byte 0 picks the kind; the rest is the value as typed in a form or the API."""
        if not data:
            return None
        return normalise_observable(KINDS[data[0] % len(KINDS)], text(data[1:]))

    return normalise, (ObservableError,)


def _observable_seeds() -> list[tuple[str, bytes]]:
    from hygie.response.engine.observables import KINDS

    samples = {
        "ip": "10.0.0[.]12",
        "domain": "portail-patient.example[.]fr",
        "url": "hxxps://portail.example.fr:8443/login?next=/dossier#x",
        "hash": "d41d8cd98f00b204e9800998ecf8427e",
        "email": "Dr.Martin@CH-Exemple.fr",
        "account": "CHX\\dr.martin",
        "host": "PACS01.ch-exemple.local",
    }
    return [(kind, bytes([KINDS.index(kind)]) + value.encode()) for kind, value in samples.items()]


TARGETS = (
    Target(
        "playbooks",
        "parse_playbook: playbook YAML",
        _playbook,
        _RESPONSE,
        lambda: package_files("hygie/response/playbooks", "*.yaml"),
    ),
    Target(
        "scenarios",
        "parse_scenario: exercise scenario YAML",
        _scenario,
        _RESPONSE,
        lambda: package_files("hygie/response/scenarios", "*.yaml"),
    ),
    Target(
        "facts",
        "facts_from_yaml + assess: incident facts YAML",
        _facts,
        _RESPONSE,
        lambda: package_files("docs/examples", "*.yaml"),
    ),
    Target(
        "observables",
        "normalise_observable: IPs, domains, URLs, hashes, e-mails, accounts",
        _observable,
        ("hygie.response",),
        _observable_seeds,
    ),
)
