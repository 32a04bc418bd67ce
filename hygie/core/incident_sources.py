"""Incidents as shareable content, between the module that keeps them and the modules that share.

The response module keeps incidents; the intel module shares them with partners (STIX, MISP).
Response sits above intel in the layering and both modules are optional, so neither imports the
other: response registers an ``IncidentSource`` (key ``"response"``) that reads an incident as
plain data and takes timeline notes back, and intel registers an ``IncidentSharer`` that says
where an incident is shared from. The incident page shows a "Share with a partner" link for each
registered sharer; without intel there is none, without response there is nothing to share.
Both registries are filled from conventional files (response and intel navigation.py) and frozen
with the others (decision 0040).

``IncidentContent`` is what a source hands out, never a model: the title and texts as written
(the sharer scrubs them), observables, ATT&CK technique ids, the timeline, and the names of the
staff mentioned so a sharer can remove them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from hygie.lib.registry import Registry

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from hygie.core.models import Establishment, User


@dataclass(frozen=True)
class SharedObservable:
    kind: str  # response's observable kinds: ip, domain, url, hash, email, account, host
    value: str
    note: str = ""
    is_ioc: bool = False
    first_seen: datetime | None = None


@dataclass(frozen=True)
class SharedEntry:
    at: datetime
    text: str


@dataclass(frozen=True)
class IncidentContent:
    """One incident as plain data. ``ref`` is the source's stable id (the incident's key);
    ``reference`` the human one (INC-2026-0007). Texts are unscrubbed: a sharer must scrub."""

    ref: str
    reference: str
    establishment_id: int
    title: str
    summary: str = ""
    category: str = ""
    severity: int | None = None
    status: str = ""
    occurred_at: datetime | None = None
    discovered_at: datetime | None = None
    observables: Sequence[SharedObservable] = ()
    techniques: Sequence[str] = ()  # ATT&CK ids, e.g. T1486
    timeline: Sequence[SharedEntry] = ()
    staff_names: Sequence[str] = ()  # people of the establishment named in the record
    obligations: Sequence[str] = ()  # regulatory obligations that apply (e.g. "cert_sante")
    url: str = ""


@dataclass(frozen=True)
class IncidentSource:
    """How a module that keeps incidents hands them out.

    ``read(user, ref)``: the incident if it exists and ``user`` may see it, else None.
    ``note(ref, write)``: append a timeline entry; ``write()`` returns the text in the active
    language (called once per interface language). ``requiring(establishment, obligation)``:
    the refs of the establishment's incidents to which that obligation applies.
    """

    read: Callable[[User, str], IncidentContent | None]
    note: Callable[[str, Callable[[], str]], None]
    requiring: Callable[[Establishment, str], list[str]] = lambda _establishment, _obl: []


@dataclass(frozen=True)
class IncidentSharer:
    """A module that shares incidents: its link on the incident page (``url(ref)``), shown to
    users holding ``capability``."""

    label: StrOrPromise
    url: Callable[[str], str]
    capability: str | None = None


incident_sources: Registry[IncidentSource] = Registry("incident_sources")
incident_sharers: Registry[IncidentSharer] = Registry("incident_sharers")


@dataclass(frozen=True)
class ShareLink:
    label: str
    url: str


def read_incident(user: User, ref: str) -> IncidentContent | None:
    """The incident ``ref`` from the first source that knows it and lets ``user`` see it."""
    for key in incident_sources:
        content = incident_sources.get(key).read(user, ref)
        if content is not None:
            return content
    return None


def note_on_incident(ref: str, write: Callable[[], str]) -> None:
    """Append a timeline entry to incident ``ref`` in every source (those that know it)."""
    for key in incident_sources:
        incident_sources.get(key).note(ref, write)


def incidents_requiring(establishment: Establishment, obligation: str) -> list[str]:
    """Refs of the establishment's incidents to which ``obligation`` applies, every source."""
    refs: list[str] = []
    for key in incident_sources:
        refs.extend(incident_sources.get(key).requiring(establishment, obligation))
    return refs


def share_links(user: User, ref: str) -> list[ShareLink]:
    """The "share" links of the incident page this user may follow."""
    links: list[ShareLink] = []
    for key in incident_sharers:
        sharer = incident_sharers.get(key)
        if sharer.capability is None or user.can(sharer.capability):
            links.append(ShareLink(str(sharer.label), sharer.url(ref)))
    return links
