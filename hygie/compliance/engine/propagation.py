"""Proposals: the status a probe result or a mapped answer suggests for a requirement. Pure.

Two sources propose a status that a person then confirms or overrides (with a justification):

* **Probe results.** A probe informs Hygie control objectives; a requirement mapped onto those
  controls gets the status the results suggest (pass → compliant, partial → partial, fail →
  non-compliant, not applicable → not applicable, error → nothing). Several results combine: all
  the same → that status; any mix of passes and failures → partial. When the requirement is
  broader than the control (relation ``superset`` or ``intersect`` from the requirement to the
  control) a pass only covers part of it: at most partial.
* **Mapped requirements.** Answering a requirement proposes the answers of the requirements
  mapped to it. ``equal`` proposes the same status. Any other relation proposes at most
  *partial*, with the relation explained: a compliant or partial answer proposes partial; a
  non-compliant answer proposes non-compliant to a requirement it is a part of (``subset``) and
  nothing otherwise (the failure may lie outside the other requirement); not applicable
  proposes only through ``equal``.

A proposal never overwrites an answer a person confirmed (``may_overwrite``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from hygie.compliance.engine.scoring import (
    COMPLIANT,
    NON_COMPLIANT,
    NOT_APPLICABLE,
    NOT_ASSESSED,
    PARTIAL,
)

EQUAL = "equal"
SUBSET = "subset"
SUPERSET = "superset"
INTERSECT = "intersect"
RELATIONS = (EQUAL, SUBSET, SUPERSET, INTERSECT)
INVERSE: Mapping[str, str] = {
    EQUAL: EQUAL,
    SUBSET: SUPERSET,
    SUPERSET: SUBSET,
    INTERSECT: INTERSECT,
}

PROBE_STATUS: Mapping[str, str] = {
    "pass": COMPLIANT,
    "partial": PARTIAL,
    "fail": NON_COMPLIANT,
    "not_applicable": NOT_APPLICABLE,
}
_RANK: Mapping[str, int] = {NON_COMPLIANT: 0, PARTIAL: 1, COMPLIANT: 2}


def status_from_probe(probe_status: str) -> str | None:
    """The answer status a probe verdict suggests; None for an error or an unknown verdict."""
    return PROBE_STATUS.get(probe_status)


def cap_partial(status: str) -> str:
    """The status, lowered to partial when it is compliant."""
    return PARTIAL if status == COMPLIANT else status


@dataclass(frozen=True)
class ProbeEvidence:
    """One probe verdict on a control the requirement maps onto, with the mapping's relation
    (from the requirement to the control)."""

    probe_id: str
    status: str  # pass | partial | fail | not_applicable | error
    relation: str = EQUAL
    run_key: int | str | None = None  # the stored result it came from


@dataclass(frozen=True)
class ProbeProposal:
    status: str
    sources: tuple[ProbeEvidence, ...]
    capped: bool = False  # lowered to partial: the controls cover only part of the requirement


def propose_from_probes(results: Iterable[ProbeEvidence]) -> ProbeProposal | None:
    """The status the latest probe results on a requirement's controls suggest (None when no
    result says anything: errors are ignored)."""
    usable = [item for item in results if status_from_probe(item.status) is not None]
    if not usable:
        return None
    statuses = {status_from_probe(item.status) for item in usable}
    applicable = statuses - {NOT_APPLICABLE}
    if not applicable:
        status = NOT_APPLICABLE
    elif len(applicable) == 1:
        status = next(iter(applicable))  # type: ignore[assignment]
    else:
        status = PARTIAL
    capped = False
    if status == COMPLIANT and any(item.relation in (SUPERSET, INTERSECT) for item in usable):
        status, capped = PARTIAL, True
    assert status is not None
    return ProbeProposal(status, tuple(usable), capped)


@dataclass(frozen=True)
class MappedLink:
    """A mapping between two requirements, read from ``source`` towards ``target``."""

    source: str
    target: str
    relation: str
    rationale: Mapping[str, str] = field(default_factory=dict)

    def reversed(self) -> MappedLink:
        return MappedLink(self.target, self.source, INVERSE[self.relation], self.rationale)


@dataclass(frozen=True)
class MappedProposal:
    target: str
    status: str
    source: str
    relation: str
    rationale: Mapping[str, str] = field(default_factory=dict)


def status_through(status: str, relation: str) -> str | None:
    """The status an answer proposes to a requirement related to it by ``relation``."""
    if status == NOT_ASSESSED or relation not in RELATIONS:
        return None
    if relation == EQUAL:
        return status
    if status in (COMPLIANT, PARTIAL):
        return PARTIAL
    if status == NON_COMPLIANT and relation == SUBSET:
        return NON_COMPLIANT
    return None


def links_both_ways(links: Iterable[MappedLink]) -> dict[str, list[MappedLink]]:
    """Every link indexed by the requirement it starts from, in both directions."""
    index: dict[str, list[MappedLink]] = {}
    for link in links:
        index.setdefault(link.source, []).append(link)
        back = link.reversed()
        index.setdefault(back.source, []).append(back)
    return index


def propose_from_answer(
    source: str, status: str, links: Sequence[MappedLink]
) -> list[MappedProposal]:
    """Proposals for the requirements mapped to ``source`` (links starting from it)."""
    proposals = []
    seen: set[str] = set()
    for link in links:
        if link.source != source or link.target in seen:
            continue
        proposed = status_through(status, link.relation)
        if proposed is None:
            continue
        seen.add(link.target)
        proposals.append(
            MappedProposal(link.target, proposed, source, link.relation, link.rationale)
        )
    return proposals


def may_overwrite(is_confirmed: bool) -> bool:
    """A proposal sets the status of an answer no person has confirmed (shown as computed until
    someone confirms it); on a confirmed answer it is only recorded beside the person's status."""
    return not is_confirmed


def worst(statuses: Iterable[str]) -> str | None:
    """The least compliant of some statuses (N/A and not assessed ignored)."""
    ranked = [status for status in statuses if status in _RANK]
    return min(ranked, key=lambda status: _RANK[status]) if ranked else None
