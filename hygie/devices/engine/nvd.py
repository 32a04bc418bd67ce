"""NVD CVE API 2.0 records: identifiers, descriptions, CVSS metrics and the configurations
(nodes of CPE match criteria with version ranges, AND/OR operators, negation, and the
running-on platforms given as non-vulnerable criteria).

Accepted shapes: an API response (``{"vulnerabilities": [{"cve": …}]}``), one ``{"cve": …}``
item, a bare record (as the per-CVE files of the fkie-cad feed), or a JSON list of those.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hygie.devices.engine.cpe import CPE, CPEError, parse_cpe
from hygie.lib.errors import HygieError

MAX_NVD_CHARS = 512 * 1024 * 1024
METRIC_KEYS = ("cvssMetricV40", "cvssMetricV31", "cvssMetricV30", "cvssMetricV2")


class NVDError(HygieError, ValueError):
    """An NVD document refused, with where."""


@dataclass(frozen=True)
class CPEMatch:
    criteria: CPE
    criteria_text: str
    vulnerable: bool
    start_including: str = ""
    start_excluding: str = ""
    end_including: str = ""
    end_excluding: str = ""

    def describe(self) -> str:
        parts = [self.criteria_text]
        for label, value in (
            (">=", self.start_including),
            (">", self.start_excluding),
            ("<=", self.end_including),
            ("<", self.end_excluding),
        ):
            if value:
                parts.append(f"{label}{value}")
        return " ".join(parts)


@dataclass(frozen=True)
class Node:
    operator: str  # AND | OR
    negate: bool
    matches: tuple[CPEMatch, ...] = ()
    children: tuple[Node, ...] = ()


@dataclass(frozen=True)
class Configuration:
    operator: str
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class CVSSMetric:
    version: str
    vector: str
    base_score: float | None
    source: str
    kind: str  # Primary | Secondary


@dataclass(frozen=True)
class CveRecord:
    cve: str
    description: str
    published: str
    last_modified: str
    status: str
    metrics: tuple[CVSSMetric, ...]
    configurations: tuple[Configuration, ...]
    cwes: tuple[str, ...] = ()
    source_name: str = ""

    @property
    def cvss(self) -> CVSSMetric | None:
        """The newest CVSS version, primary source first."""
        for metric in sorted(
            self.metrics, key=lambda m: (METRIC_KEYS.index(m.version), m.kind != "Primary")
        ):
            return metric
        return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _match(item: Any, where: str) -> CPEMatch:
    if not isinstance(item, dict) or not isinstance(item.get("criteria"), str):
        raise NVDError(f"{where}: a cpeMatch needs its criteria")
    try:
        criteria = parse_cpe(item["criteria"])
    except CPEError as error:
        raise NVDError(f"{where}.criteria: {error}") from None
    return CPEMatch(
        criteria=criteria,
        criteria_text=item["criteria"],
        vulnerable=item.get("vulnerable") is not False,
        start_including=_text(item.get("versionStartIncluding")),
        start_excluding=_text(item.get("versionStartExcluding")),
        end_including=_text(item.get("versionEndIncluding")),
        end_excluding=_text(item.get("versionEndExcluding")),
    )


def _node(item: Any, where: str, depth: int = 0) -> Node:
    if not isinstance(item, dict) or depth > 16:
        raise NVDError(f"{where}: not a configuration node")
    operator = _text(item.get("operator")).upper() or "OR"
    if operator not in ("AND", "OR"):
        raise NVDError(f"{where}.operator: AND or OR, not {operator[:20]!r}")
    matches = tuple(
        _match(m, f"{where}.cpeMatch[{i}]") for i, m in enumerate(item.get("cpeMatch") or [])
    )
    children = tuple(
        _node(n, f"{where}.children[{i}]", depth + 1)
        for i, n in enumerate(item.get("children") or [])
    )
    return Node(operator, item.get("negate") is True, matches, children)


def _metrics(metrics: Any) -> tuple[CVSSMetric, ...]:
    found: list[CVSSMetric] = []
    if not isinstance(metrics, dict):
        return ()
    for key in METRIC_KEYS:
        for metric in metrics.get(key) or []:
            data = metric.get("cvssData") if isinstance(metric, dict) else None
            if isinstance(data, dict) and isinstance(data.get("vectorString"), str):
                base = data.get("baseScore")
                found.append(
                    CVSSMetric(
                        version=key,
                        vector=data["vectorString"],
                        base_score=float(base) if isinstance(base, int | float) else None,
                        source=_text(metric.get("source")),
                        kind=_text(metric.get("type")),
                    )
                )
    return tuple(found)


def parse_record(record: Any, where: str = "$") -> CveRecord:
    if not isinstance(record, dict):
        raise NVDError(f"{where}: a CVE record is a JSON object")
    cve = _text(record.get("id")).strip().upper()
    if not cve.startswith("CVE-"):
        raise NVDError(f"{where}.id: not a CVE identifier")
    configurations = []
    for index, config in enumerate(record.get("configurations") or []):
        here = f"{where}.configurations[{index}]"
        if not isinstance(config, dict):
            raise NVDError(f"{here}: not a configuration")
        operator = _text(config.get("operator")).upper() or "OR"
        nodes = tuple(
            _node(node, f"{here}.nodes[{i}]") for i, node in enumerate(config.get("nodes") or [])
        )
        configurations.append(Configuration(operator if operator == "AND" else "OR", nodes))
    descriptions = [
        _text(d.get("value"))
        for d in record.get("descriptions") or []
        if isinstance(d, dict) and d.get("lang") == "en"
    ]
    cwes = tuple(
        _text(d.get("value"))
        for w in record.get("weaknesses") or []
        if isinstance(w, dict)
        for d in w.get("description") or []
        if isinstance(d, dict) and _text(d.get("value")).startswith("CWE-")
    )
    return CveRecord(
        cve=cve,
        description=descriptions[0] if descriptions else "",
        published=_text(record.get("published")),
        last_modified=_text(record.get("lastModified")),
        status=_text(record.get("vulnStatus")),
        metrics=_metrics(record.get("metrics")),
        configurations=tuple(configurations),
        cwes=cwes,
        source_name=_text(record.get("sourceIdentifier")),
    )


def _records(document: Any, where: str) -> list[tuple[Any, str]]:
    if isinstance(document, list):
        found: list[tuple[Any, str]] = []
        for index, item in enumerate(document):
            found.extend(_records(item, f"{where}[{index}]"))
        return found
    if isinstance(document, dict):
        if isinstance(document.get("vulnerabilities"), list):
            return [
                (
                    item.get("cve") if isinstance(item, dict) else item,
                    f"{where}.vulnerabilities[{i}].cve",
                )
                for i, item in enumerate(document["vulnerabilities"])
            ]
        if isinstance(document.get("cve"), dict):
            return [(document["cve"], f"{where}.cve")]
        if "id" in document:
            return [(document, where)]
    raise NVDError(f"{where}: no NVD CVE record found")


def parse_nvd(text: str | bytes, name: str = "") -> list[CveRecord]:
    """The CVE records of an NVD CVE API 2.0 document (raises :class:`NVDError`)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig")
    if len(text) > MAX_NVD_CHARS:
        raise NVDError(f"{name or 'the document'}: too large")
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise NVDError(f"{name or 'the document'}: not JSON ({str(error)[:120]})") from None
    return [parse_record(record, where) for record, where in _records(document, "$")]
