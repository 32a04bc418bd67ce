"""The mandatory tests of CSAF 2.0 (§6.1), one small function each, yielding
:class:`CsafError` (test id, JSON path, message).

Implemented: 6.1.1 to 6.1.33 (6.1.27.1 to 6.1.27.11). 6.1.11 reads the MITRE CWE catalogue's
weaknesses shipped in ``data/cwe/`` (a category or a view is not a weakness: refused). 6.1.12
checks the language tags' syntax and the ISO 639-1/639-2 primary subtag list below, not the full
IANA registry. See docs/devices-matching.md.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

from cvss import CVSS2, CVSS3  # type: ignore[import-untyped]  # ships no type information
from cvss.exceptions import CVSSError  # type: ignore[import-untyped]  # idem

from hygie.devices.engine.csaf import CsafError, walk_branches

Check = Callable[[Mapping[str, Any]], Iterator[CsafError]]
CHECKS: dict[str, Check] = {}
NOT_IMPLEMENTED: dict[str, str] = {}
PROFILES = (
    "csaf_base",
    "csaf_security_incident_response",
    "csaf_informational_advisory",
    "csaf_security_advisory",
    "csaf_vex",
)
ISO_639_1 = frozenset(
    (
        "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu "
        "cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi "
        "ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks "
        "ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl "
        "nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl "
        "sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve "
        "vi vo wa wo xh yi yo za zh zu"
    ).split()
)
_LANG = re.compile(
    r"^(?:(?P<primary>[A-Za-z]{2,3}|[A-Za-z]{5,8})(?:-[A-Za-z]{3}){0,3}"
    r"(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|\d{3}))?(?:-(?:[A-Za-z0-9]{5,8}|\d[A-Za-z0-9]{3}))*"
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*(?:-[xX](?:-[A-Za-z0-9]{1,8})+)?"
    r"|[xX](?:-[A-Za-z0-9]{1,8})+|i-default)$"
)
_PURL = re.compile(
    r"^pkg:[A-Za-z.+-][A-Za-z0-9.+-]*/(?:[^/?#@]+/)*[^/?#@]+(?:@[^?#]+)?(?:\?[^#]*)?(?:#.*)?$"
)
_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)
# 6.1.31: the "deemed sufficient" patterns, words matched whole (split on white space).
RANGE_WORDS = frozenset(("after", "all", "before", "earlier", "later", "prior", "versions"))
_DATE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$", re.I
)
AFFECTED = ("first_affected", "known_affected", "last_affected")
STATUS_GROUPS = {
    "affected": AFFECTED,
    "not affected": ("known_not_affected",),
    "fixed": ("first_fixed", "fixed"),
    "under investigation": ("under_investigation",),
}


def check(test_id: str) -> Callable[[Check], Check]:
    def register(function: Check) -> Check:
        CHECKS[test_id] = function
        return function

    return register


# --- helpers -----------------------------------------------------------------------------------


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _meta(doc: Mapping[str, Any]) -> dict[str, Any]:
    return _dict(doc.get("document"))


def _tracking(doc: Mapping[str, Any]) -> dict[str, Any]:
    return _dict(_meta(doc).get("tracking"))


def _category(doc: Mapping[str, Any]) -> str:
    value = _meta(doc).get("category")
    return value if isinstance(value, str) else ""


def _vulns(doc: Mapping[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    for index, item in enumerate(_list(doc.get("vulnerabilities"))):
        if isinstance(item, dict):
            yield index, item


def _definitions(doc: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(product id, path) of every product definition."""
    tree = _dict(doc.get("product_tree"))

    def walk(branches: Any, path: str) -> Iterator[tuple[str, str]]:
        for index, branch in enumerate(_list(branches)):
            if not isinstance(branch, dict):
                continue
            here = f"{path}[{index}]"
            product = branch.get("product")
            if isinstance(product, dict) and isinstance(product.get("product_id"), str):
                yield product["product_id"], f"{here}.product.product_id"
            yield from walk(branch.get("branches"), f"{here}.branches")

    yield from walk(tree.get("branches"), "$.product_tree.branches")
    for index, product in enumerate(_list(tree.get("full_product_names"))):
        if isinstance(product, dict) and isinstance(product.get("product_id"), str):
            yield product["product_id"], f"$.product_tree.full_product_names[{index}].product_id"
    for index, relation in enumerate(_list(tree.get("relationships"))):
        product = _dict(_dict(relation).get("full_product_name"))
        if isinstance(product.get("product_id"), str):
            yield (
                product["product_id"],
                f"$.product_tree.relationships[{index}].full_product_name.product_id",
            )


def _references(doc: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(product id, path) of every reference to a product id."""
    tree = _dict(doc.get("product_tree"))
    for index, group in enumerate(_list(tree.get("product_groups"))):
        for position, pid in enumerate(_list(_dict(group).get("product_ids"))):
            yield pid, f"$.product_tree.product_groups[{index}].product_ids[{position}]"
    for index, relation in enumerate(_list(tree.get("relationships"))):
        for key in ("product_reference", "relates_to_product_reference"):
            value = _dict(relation).get(key)
            if isinstance(value, str):
                yield value, f"$.product_tree.relationships[{index}].{key}"
    for index, vuln in _vulns(doc):
        base = f"$.vulnerabilities[{index}]"
        for status, ids in _dict(vuln.get("product_status")).items():
            for position, pid in enumerate(_list(ids)):
                yield pid, f"{base}.product_status.{status}[{position}]"
        for key, field in (
            ("remediations", "product_ids"),
            ("threats", "product_ids"),
            ("flags", "product_ids"),
            ("scores", "products"),
        ):
            for position, item in enumerate(_list(vuln.get(key))):
                for n, pid in enumerate(_list(_dict(item).get(field))):
                    yield pid, f"{base}.{key}[{position}].{field}[{n}]"


def _group_references(doc: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for index, vuln in _vulns(doc):
        for key in ("remediations", "threats", "flags"):
            for position, item in enumerate(_list(vuln.get(key))):
                for n, gid in enumerate(_list(_dict(item).get("group_ids"))):
                    yield gid, f"$.vulnerabilities[{index}].{key}[{position}].group_ids[{n}]"


def _groups(doc: Mapping[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for group in _list(_dict(doc.get("product_tree")).get("product_groups")):
        gid = _dict(group).get("group_id")
        if isinstance(gid, str):
            found.setdefault(
                gid, [p for p in _list(group.get("product_ids")) if isinstance(p, str)]
            )
    return found


def _targets(item: Mapping[str, Any], groups: Mapping[str, list[str]]) -> set[str]:
    ids = {p for p in _list(item.get("product_ids")) if isinstance(p, str)}
    for gid in _list(item.get("group_ids")):
        ids.update(groups.get(gid, []) if isinstance(gid, str) else [])
    return ids


def _history(doc: Mapping[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    return [
        (i, item)
        for i, item in enumerate(_list(_tracking(doc).get("revision_history")))
        if isinstance(item, dict)
    ]


def _instant(value: Any) -> tuple[Any, ...]:
    """A sortable UTC instant of a CSAF date-time (fractions of any length), () when invalid."""
    found = _DATE.match(value) if isinstance(value, str) else None
    if not found:
        return ()
    year, month, day, hour, minute, second = (int(found.group(i)) for i in range(1, 7))
    zone = found.group(8).upper()
    sign = 1 if zone[0] == "+" else -1
    offset = 0 if zone == "Z" else sign * (int(zone[1:3]) * 60 + int(zone[4:6]))
    try:
        moment = datetime.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return ()
    moment -= datetime.timedelta(minutes=offset)
    fraction = (found.group(7) or "").rstrip("0")
    return (*moment.timetuple()[:6], fraction.ljust(12, "0"))


def _is_int(version: Any) -> bool:
    # ASCII digits only, as CSAF integer versioning defines them ("¹" is a digit to Python).
    return isinstance(version, str) and version.isascii() and version.isdigit()


def _version_key(version: str) -> tuple[int, ...]:
    if _is_int(version):
        return (int(version),)
    found = _SEMVER.match(version)
    if found:
        return (
            int(found.group(1)),
            int(found.group(2)),
            int(found.group(3)),
            0 if found.group(4) else 1,
        )
    return ()


def _pre_release(version: Any) -> bool:
    found = _SEMVER.match(version) if isinstance(version, str) else None
    return bool(found and found.group(4))


def _zero(version: Any) -> bool:
    if _is_int(version):
        return int(version) == 0
    found = _SEMVER.match(version) if isinstance(version, str) else None
    return bool(found and found.group(1) == "0")


# --- 6.1.1 to 6.1.7: product and group ids, statuses, scores --------------------------------


@check("6.1.1")
def missing_product_definition(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    defined = {pid for pid, _ in _definitions(doc)}
    for pid, path in _references(doc):
        if pid not in defined:
            yield CsafError("6.1.1", path, f"product id {str(pid)[:60]!r} is not defined")


@check("6.1.2")
def multiple_product_definition(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    seen: set[str] = set()
    for pid, path in _definitions(doc):
        if pid in seen:
            yield CsafError("6.1.2", path, f"product id {pid[:60]!r} is defined more than once")
        seen.add(pid)


@check("6.1.3")
def circular_product_definition(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    edges: dict[str, set[str]] = {}
    for index, relation in enumerate(_list(_dict(doc.get("product_tree")).get("relationships"))):
        relation = _dict(relation)
        pid = _dict(relation.get("full_product_name")).get("product_id")
        refs = {
            relation.get(key)
            for key in ("product_reference", "relates_to_product_reference")
            if isinstance(relation.get(key), str)
        }
        if isinstance(pid, str):
            if pid in refs:
                yield CsafError(
                    "6.1.3",
                    f"$.product_tree.relationships[{index}]",
                    f"product id {pid[:60]!r} is defined through itself",
                )
            edges.setdefault(pid, set()).update(r for r in refs if isinstance(r, str))
    for start in edges:
        stack, seen = list(edges[start]), set()
        while stack:
            node = stack.pop()
            if node == start:
                yield CsafError(
                    "6.1.3", "$.product_tree.relationships", f"{start[:60]!r} is circular"
                )
                break
            if node not in seen:
                seen.add(node)
                stack.extend(edges.get(node, ()))


@check("6.1.4")
def missing_group_definition(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    defined = set(_groups(doc))
    for gid, path in _group_references(doc):
        if gid not in defined:
            yield CsafError("6.1.4", path, f"group id {str(gid)[:60]!r} is not defined")


@check("6.1.5")
def multiple_group_definition(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    seen: set[str] = set()
    for index, group in enumerate(_list(_dict(doc.get("product_tree")).get("product_groups"))):
        gid = _dict(group).get("group_id")
        if isinstance(gid, str):
            if gid in seen:
                yield CsafError(
                    "6.1.5",
                    f"$.product_tree.product_groups[{index}].group_id",
                    f"group id {gid[:60]!r} is defined more than once",
                )
            seen.add(gid)


@check("6.1.6")
def contradicting_status(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    for index, vuln in _vulns(doc):
        status = _dict(vuln.get("product_status"))
        where: dict[str, str] = {}
        for group, keys in STATUS_GROUPS.items():
            members = {p for key in keys for p in _list(status.get(key)) if isinstance(p, str)}
            for pid in members:
                if pid in where and where[pid] != group:
                    yield CsafError(
                        "6.1.6",
                        f"$.vulnerabilities[{index}].product_status",
                        f"product {pid[:60]!r} is both {where[pid]} and {group}",
                    )
                where.setdefault(pid, group)


@check("6.1.7")
def multiple_scores(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    for index, vuln in _vulns(doc):
        seen: set[tuple[str, str]] = set()
        for position, score in enumerate(_list(vuln.get("scores"))):
            score = _dict(score)
            versions = [
                str(_dict(score.get(key)).get("version"))
                for key in ("cvss_v2", "cvss_v3")
                if key in score
            ]
            for pid in _list(score.get("products")):
                for version in versions:
                    if (pid, version) in seen:
                        yield CsafError(
                            "6.1.7",
                            f"$.vulnerabilities[{index}].scores[{position}]",
                            f"product {str(pid)[:60]!r} has two CVSS {version} scores",
                        )
                    seen.add((pid, version))


# --- 6.1.9, 6.1.10: CVSS ---------------------------------------------------------------------

_V3 = {
    "AV": (
        "attackVector",
        {"N": "NETWORK", "A": "ADJACENT_NETWORK", "L": "LOCAL", "P": "PHYSICAL"},
    ),
    "AC": ("attackComplexity", {"L": "LOW", "H": "HIGH"}),
    "PR": ("privilegesRequired", {"N": "NONE", "L": "LOW", "H": "HIGH"}),
    "UI": ("userInteraction", {"N": "NONE", "R": "REQUIRED"}),
    "S": ("scope", {"U": "UNCHANGED", "C": "CHANGED"}),
    "C": ("confidentialityImpact", {"N": "NONE", "L": "LOW", "H": "HIGH"}),
    "I": ("integrityImpact", {"N": "NONE", "L": "LOW", "H": "HIGH"}),
    "A": ("availabilityImpact", {"N": "NONE", "L": "LOW", "H": "HIGH"}),
    "E": (
        "exploitCodeMaturity",
        {
            "X": "NOT_DEFINED",
            "U": "UNPROVEN",
            "P": "PROOF_OF_CONCEPT",
            "F": "FUNCTIONAL",
            "H": "HIGH",
        },
    ),
    "RL": (
        "remediationLevel",
        {
            "X": "NOT_DEFINED",
            "O": "OFFICIAL_FIX",
            "T": "TEMPORARY_FIX",
            "W": "WORKAROUND",
            "U": "UNAVAILABLE",
        },
    ),
    "RC": (
        "reportConfidence",
        {"X": "NOT_DEFINED", "U": "UNKNOWN", "R": "REASONABLE", "C": "CONFIRMED"},
    ),
    "CR": (
        "confidentialityRequirement",
        {"X": "NOT_DEFINED", "L": "LOW", "M": "MEDIUM", "H": "HIGH"},
    ),
    "IR": ("integrityRequirement", {"X": "NOT_DEFINED", "L": "LOW", "M": "MEDIUM", "H": "HIGH"}),
    "AR": ("availabilityRequirement", {"X": "NOT_DEFINED", "L": "LOW", "M": "MEDIUM", "H": "HIGH"}),
}
for _key in ("AV", "AC", "PR", "UI", "S", "C", "I", "A"):
    _name, _values = _V3[_key]
    _V3["M" + _key] = (
        "modified" + _name[0].upper() + _name[1:],
        {"X": "NOT_DEFINED", **_values},
    )
_V2 = {
    "AV": ("accessVector", {"L": "LOCAL", "A": "ADJACENT_NETWORK", "N": "NETWORK"}),
    "AC": ("accessComplexity", {"H": "HIGH", "M": "MEDIUM", "L": "LOW"}),
    "Au": ("authentication", {"M": "MULTIPLE", "S": "SINGLE", "N": "NONE"}),
    "C": ("confidentialityImpact", {"N": "NONE", "P": "PARTIAL", "C": "COMPLETE"}),
    "I": ("integrityImpact", {"N": "NONE", "P": "PARTIAL", "C": "COMPLETE"}),
    "A": ("availabilityImpact", {"N": "NONE", "P": "PARTIAL", "C": "COMPLETE"}),
    "E": (
        "exploitability",
        {
            "U": "UNPROVEN",
            "POC": "PROOF_OF_CONCEPT",
            "F": "FUNCTIONAL",
            "H": "HIGH",
            "ND": "NOT_DEFINED",
        },
    ),
    "RL": (
        "remediationLevel",
        {
            "OF": "OFFICIAL_FIX",
            "TF": "TEMPORARY_FIX",
            "W": "WORKAROUND",
            "U": "UNAVAILABLE",
            "ND": "NOT_DEFINED",
        },
    ),
    "RC": (
        "reportConfidence",
        {"UC": "UNCONFIRMED", "UR": "UNCORROBORATED", "C": "CONFIRMED", "ND": "NOT_DEFINED"},
    ),
    "CDP": (
        "collateralDamagePotential",
        {
            "N": "NONE",
            "L": "LOW",
            "LM": "LOW_MEDIUM",
            "MH": "MEDIUM_HIGH",
            "H": "HIGH",
            "ND": "NOT_DEFINED",
        },
    ),
    "TD": (
        "targetDistribution",
        {"N": "NONE", "L": "LOW", "M": "MEDIUM", "H": "HIGH", "ND": "NOT_DEFINED"},
    ),
    "CR": (
        "confidentialityRequirement",
        {"L": "LOW", "M": "MEDIUM", "H": "HIGH", "ND": "NOT_DEFINED"},
    ),
    "IR": ("integrityRequirement", {"L": "LOW", "M": "MEDIUM", "H": "HIGH", "ND": "NOT_DEFINED"}),
    "AR": (
        "availabilityRequirement",
        {"L": "LOW", "M": "MEDIUM", "H": "HIGH", "ND": "NOT_DEFINED"},
    ),
}


def _cvss_objects(doc: Mapping[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for index, vuln in _vulns(doc):
        for position, score in enumerate(_list(vuln.get("scores"))):
            for key in ("cvss_v2", "cvss_v3"):
                value = _dict(score).get(key)
                if isinstance(value, dict) and isinstance(value.get("vectorString"), str):
                    yield key, f"$.vulnerabilities[{index}].scores[{position}].{key}", value


@check("6.1.9")
def cvss_computation(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    for key, path, cvss in _cvss_objects(doc):
        try:
            computed = (CVSS2 if key == "cvss_v2" else CVSS3)(cvss["vectorString"])
        except (CVSSError, ValueError, KeyError) as error:
            yield CsafError("6.1.9", f"{path}.vectorString", f"not computable ({str(error)[:80]})")
            continue
        scores = computed.scores()
        names = ("baseScore", "temporalScore", "environmentalScore")
        for name, value in zip(names, scores, strict=False):
            given = cvss.get(name)
            if (
                isinstance(given, int | float)
                and value is not None
                and float(given) != float(value)
            ):
                yield CsafError("6.1.9", f"{path}.{name}", f"{given} but the vector gives {value}")
        if key == "cvss_v3":
            severities = computed.severities()
            for name, value in zip(
                ("baseSeverity", "temporalSeverity", "environmentalSeverity"),
                severities,
                strict=False,
            ):
                given = cvss.get(name)
                if isinstance(given, str) and given.upper() != str(value).upper():
                    yield CsafError(
                        "6.1.9", f"{path}.{name}", f"{given} but the vector gives {value}"
                    )


@check("6.1.10")
def cvss_consistency(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    for key, path, cvss in _cvss_objects(doc):
        vector = cvss["vectorString"]
        table = _V2 if key == "cvss_v2" else _V3
        parts = vector.split("/")
        if key == "cvss_v3":
            prefix = parts.pop(0) if parts and parts[0].startswith("CVSS:") else ""
            version = prefix.removeprefix("CVSS:")
            if cvss.get("version") not in (None, version):
                yield CsafError(
                    "6.1.10",
                    f"{path}.version",
                    f"{cvss.get('version')} but the vector is {version}",
                )
        for part in parts:
            metric, _sep, value = part.partition(":")
            if metric not in table:
                continue
            name, values = table[metric]
            given = cvss.get(name)
            if given is not None and values.get(value) != given:
                yield CsafError(
                    "6.1.10", f"{path}.{name}", f"{given} but the vector says {metric}:{value}"
                )


@cache
def cwe_catalogue() -> dict[str, str]:
    """The MITRE CWE weaknesses shipped with the module: id ("CWE-79") → name."""
    text = resources.files("hygie.devices").joinpath("data", "cwe", "cwe-weaknesses.txt")
    catalogue: dict[str, str] = {}
    for line in text.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            cwe_id, _sep, name = line.partition("\t")
            catalogue[cwe_id] = name
    return catalogue


@check("6.1.11")
def cwe_exists(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    catalogue = cwe_catalogue()
    for index, vulnerability in enumerate(_list(doc.get("vulnerabilities"))):
        cwe = vulnerability.get("cwe") if isinstance(vulnerability, Mapping) else None
        if not isinstance(cwe, Mapping):
            continue
        path = f"$.vulnerabilities[{index}].cwe"
        cwe_id, name = cwe.get("id"), cwe.get("name")
        if not isinstance(cwe_id, str) or cwe_id not in catalogue:
            yield CsafError("6.1.11", f"{path}.id", "no CWE weakness has this id")
        elif name != catalogue[cwe_id]:
            yield CsafError(
                "6.1.11", f"{path}.name", f"the name of {cwe_id} is {catalogue[cwe_id]!r}"
            )


# --- 6.1.12 to 6.1.22: language, purl, tracking ------------------------------------------------


@check("6.1.12")
def language(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    for key in ("lang", "source_lang"):
        value = _meta(doc).get(key)
        if not isinstance(value, str):
            continue
        found = _LANG.match(value)
        primary = (found.group("primary") or "") if found else ""
        if not found or (len(primary) == 2 and primary.casefold() not in ISO_639_1):
            yield CsafError("6.1.12", f"$.document.{key}", f"{value[:30]!r} is not a language tag")


@check("6.1.13")
def purl(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    tree = _dict(doc.get("product_tree"))
    products: list[tuple[str, Any]] = [
        (f"$.product_tree.full_product_names[{i}]", p)
        for i, p in enumerate(_list(tree.get("full_product_names")))
    ]
    products += [
        (f"$.product_tree.relationships[{i}].full_product_name", _dict(r).get("full_product_name"))
        for i, r in enumerate(_list(tree.get("relationships")))
    ]
    products += [("$.product_tree.branches", p) for _path, p in walk_branches(tree.get("branches"))]
    for path, product in products:
        value = _dict(_dict(product).get("product_identification_helper")).get("purl")
        if isinstance(value, str) and not _PURL.match(value):
            yield CsafError(
                "6.1.13", f"{path}.product_identification_helper.purl", "not a valid purl"
            )


@check("6.1.14")
def sorted_history(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    history = [item for _i, item in _history(doc)]
    if any(not _version_key(str(item.get("number"))) for item in history):
        return
    if any(not _instant(item.get("date")) for item in history):
        return
    ordered = sorted(
        history, key=lambda i: (_instant(i.get("date")), _version_key(str(i.get("number"))))
    )
    keys = [_version_key(str(i.get("number"))) for i in ordered]
    if keys != sorted(keys):
        yield CsafError(
            "6.1.14",
            "$.document.tracking.revision_history",
            "the revision numbers do not follow the dates",
        )


@check("6.1.15")
def translator(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    if _dict(_meta(doc).get("publisher")).get("category") == "translator" and not _meta(doc).get(
        "source_lang"
    ):
        yield CsafError(
            "6.1.15", "$.document.source_lang", "a translation needs its source language"
        )


@check("6.1.16")
def latest_version(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    history = [item for _i, item in _history(doc)]
    version = _tracking(doc).get("version")
    if not history or not isinstance(version, str):
        return
    latest = max(
        history, key=lambda i: (_instant(i.get("date")), _version_key(str(i.get("number"))))
    )
    number = str(latest.get("number"))
    if _tracking(doc).get("status") == "draft" and _pre_release(version):
        version = version.split("-", 1)[0].split("+", 1)[0]
        number = number.split("-", 1)[0].split("+", 1)[0]
    if number.split("+", 1)[0] != version.split("+", 1)[0]:
        yield CsafError(
            "6.1.16",
            "$.document.tracking.version",
            f"{version[:20]} but the latest revision is {number[:20]}",
        )


@check("6.1.17")
def draft_status(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    version = _tracking(doc).get("version")
    if (_zero(version) or _pre_release(version)) and _tracking(doc).get("status") != "draft":
        yield CsafError(
            "6.1.17", "$.document.tracking.status", f"version {version} needs the status draft"
        )


@check("6.1.18")
def released_history(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    if _tracking(doc).get("status") in ("final", "interim"):
        for index, item in _history(doc):
            if _zero(item.get("number")):
                yield CsafError(
                    "6.1.18",
                    f"$.document.tracking.revision_history[{index}].number",
                    "a released document has no version 0 in its history",
                )


@check("6.1.19")
def pre_release_history(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    for index, item in _history(doc):
        if _pre_release(item.get("number")):
            yield CsafError(
                "6.1.19",
                f"$.document.tracking.revision_history[{index}].number",
                "a revision number has a pre-release part",
            )


@check("6.1.20")
def non_draft_pre_release(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    if _tracking(doc).get("status") in ("final", "interim") and _pre_release(
        _tracking(doc).get("version")
    ):
        yield CsafError(
            "6.1.20",
            "$.document.tracking.version",
            "a released document has no pre-release version",
        )


@check("6.1.21")
def missing_history_item(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    numbers = [str(item.get("number")) for _i, item in _history(doc)]
    if not numbers:
        return
    if all(_is_int(n) for n in numbers):
        values = sorted(int(n) for n in numbers)
    elif all(_SEMVER.match(n) for n in numbers):
        values = sorted({int(n.split(".", 1)[0]) for n in numbers})
    else:
        return
    if values[0] not in (0, 1) or any(b - a > 1 for a, b in zip(values, values[1:], strict=False)):
        yield CsafError(
            "6.1.21",
            "$.document.tracking.revision_history",
            "a revision is missing from the history",
        )


@check("6.1.22")
def multiple_history_number(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    seen: set[str] = set()
    for index, item in _history(doc):
        number = str(item.get("number"))
        if number in seen:
            yield CsafError(
                "6.1.22",
                f"$.document.tracking.revision_history[{index}].number",
                f"revision {number[:20]} is given twice",
            )
        seen.add(number)


# --- 6.1.23 to 6.1.26 -------------------------------------------------------------------------


@check("6.1.23")
def multiple_cve(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    seen: set[str] = set()
    for index, vuln in _vulns(doc):
        cve = vuln.get("cve")
        if isinstance(cve, str):
            if cve in seen:
                yield CsafError(
                    "6.1.23", f"$.vulnerabilities[{index}].cve", f"{cve[:30]} is used twice"
                )
            seen.add(cve)


@check("6.1.24")
def multiple_involvements(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    for index, vuln in _vulns(doc):
        seen: set[tuple[str, str]] = set()
        for position, item in enumerate(_list(vuln.get("involvements"))):
            key = (str(_dict(item).get("party")), str(_dict(item).get("date")))
            if key in seen:
                yield CsafError(
                    "6.1.24",
                    f"$.vulnerabilities[{index}].involvements[{position}]",
                    "the same party and date are given twice",
                )
            seen.add(key)


@check("6.1.25")
def multiple_hash_algorithm(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    tree = _dict(doc.get("product_tree"))
    products: list[Any] = [p for _path, p in walk_branches(tree.get("branches"))]
    products += _list(tree.get("full_product_names"))
    products += [_dict(r).get("full_product_name") for r in _list(tree.get("relationships"))]
    for product in products:
        helper = _dict(_dict(product).get("product_identification_helper"))
        for hashes in _list(helper.get("hashes")):
            algorithms = [
                _dict(h).get("algorithm") for h in _list(_dict(hashes).get("file_hashes"))
            ]
            if len(algorithms) != len(set(map(str, algorithms))):
                yield CsafError(
                    "6.1.25",
                    "$.product_tree",
                    f"product {str(_dict(product).get('product_id'))[:60]!r} gives the same hash "
                    "algorithm twice",
                )


def _squash(text: str) -> str:
    return re.sub(r"[\s_-]+", "", text.casefold())


@check("6.1.26")
def prohibited_category(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    category = _category(doc)
    if not category or category in PROFILES:
        return
    squashed = _squash(category)
    names = {_squash(p) for p in PROFILES} | {
        _squash(p.removeprefix("csaf_")) for p in PROFILES[1:]
    }
    if squashed in names or squashed.startswith("csaf"):
        yield CsafError(
            "6.1.26",
            "$.document.category",
            f"{category[:40]!r} is too close to a CSAF profile name",
        )


# --- 6.1.27.x: profiles -------------------------------------------------------------------------


@check("6.1.27.1")
def profile_notes(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    if _category(doc) in (
        "csaf_informational_advisory",
        "csaf_security_incident_response",
    ) and not any(
        _dict(n).get("category") in ("description", "details", "general", "summary")
        for n in _list(_meta(doc).get("notes"))
    ):
        yield CsafError(
            "6.1.27.1",
            "$.document.notes",
            "the profile needs a description, details, general or summary note",
        )


@check("6.1.27.2")
def profile_references(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    if _category(doc) in (
        "csaf_informational_advisory",
        "csaf_security_incident_response",
    ) and not any(
        _dict(r).get("category") == "external" for r in _list(_meta(doc).get("references"))
    ):
        yield CsafError(
            "6.1.27.2", "$.document.references", "the profile needs an external reference"
        )


@check("6.1.27.3")
def profile_no_vulnerabilities(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    if _category(doc) == "csaf_informational_advisory" and "vulnerabilities" in doc:
        yield CsafError(
            "6.1.27.3", "$.vulnerabilities", "an informational advisory has no vulnerabilities"
        )


@check("6.1.27.4")
def profile_product_tree(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    if _category(doc) in ("csaf_security_advisory", "csaf_vex") and "product_tree" not in doc:
        yield CsafError("6.1.27.4", "$.product_tree", "the profile needs a product tree")


@check("6.1.27.5")
def profile_vulnerability_notes(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    if _category(doc) in ("csaf_security_advisory", "csaf_vex"):
        for index, vuln in _vulns(doc):
            if "notes" not in vuln:
                yield CsafError(
                    "6.1.27.5",
                    f"$.vulnerabilities[{index}].notes",
                    "each vulnerability needs notes",
                )


@check("6.1.27.6")
def profile_product_status(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    if _category(doc) == "csaf_security_advisory":
        for index, vuln in _vulns(doc):
            if "product_status" not in vuln:
                yield CsafError(
                    "6.1.27.6",
                    f"$.vulnerabilities[{index}].product_status",
                    "each vulnerability needs a product status",
                )


@check("6.1.27.7")
def profile_vex_status(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    if _category(doc) == "csaf_vex":
        for index, vuln in _vulns(doc):
            status = _dict(vuln.get("product_status"))
            if not any(
                k in status
                for k in ("fixed", "known_affected", "known_not_affected", "under_investigation")
            ):
                yield CsafError(
                    "6.1.27.7",
                    f"$.vulnerabilities[{index}].product_status",
                    "a VEX status (fixed, known affected, known not affected, under "
                    "investigation) is needed",
                )


@check("6.1.27.8")
def profile_vulnerability_id(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    if _category(doc) == "csaf_vex":
        for index, vuln in _vulns(doc):
            if "cve" not in vuln and "ids" not in vuln:
                yield CsafError(
                    "6.1.27.8",
                    f"$.vulnerabilities[{index}]",
                    "a VEX vulnerability needs a cve or ids",
                )


@check("6.1.27.9")
def profile_impact_statement(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    if _category(doc) != "csaf_vex":
        return
    groups = _groups(doc)
    for index, vuln in _vulns(doc):
        covered: set[str] = set()
        for flag in _list(vuln.get("flags")):
            covered |= _targets(_dict(flag), groups)
        for threat in _list(vuln.get("threats")):
            if _dict(threat).get("category") == "impact":
                covered |= _targets(_dict(threat), groups)
        for pid in _list(_dict(vuln.get("product_status")).get("known_not_affected")):
            if pid not in covered:
                yield CsafError(
                    "6.1.27.9",
                    f"$.vulnerabilities[{index}].product_status.known_not_affected",
                    f"product {str(pid)[:60]!r} has no impact statement",
                )


@check("6.1.27.10")
def profile_action_statement(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    if _category(doc) != "csaf_vex":
        return
    groups = _groups(doc)
    for index, vuln in _vulns(doc):
        covered: set[str] = set()
        for remediation in _list(vuln.get("remediations")):
            covered |= _targets(_dict(remediation), groups)
        for pid in _list(_dict(vuln.get("product_status")).get("known_affected")):
            if pid not in covered:
                yield CsafError(
                    "6.1.27.10",
                    f"$.vulnerabilities[{index}].product_status.known_affected",
                    f"product {str(pid)[:60]!r} has no action statement",
                )


@check("6.1.27.11")
def profile_vulnerabilities(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    if _category(doc) in ("csaf_security_advisory", "csaf_vex") and "vulnerabilities" not in doc:
        yield CsafError("6.1.27.11", "$.vulnerabilities", "the profile needs vulnerabilities")


# --- 6.1.28 to 6.1.33 --------------------------------------------------------------------------


@check("6.1.28")
def translation(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    lang, source = _meta(doc).get("lang"), _meta(doc).get("source_lang")
    if isinstance(lang, str) and isinstance(source, str) and lang.casefold() == source.casefold():
        yield CsafError("6.1.28", "$.document.source_lang", "a translation into its own language")


@check("6.1.29")
def remediation_reference(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    for index, vuln in _vulns(doc):
        for position, item in enumerate(_list(vuln.get("remediations"))):
            if not _dict(item).get("product_ids") and not _dict(item).get("group_ids"):
                yield CsafError(
                    "6.1.29",
                    f"$.vulnerabilities[{index}].remediations[{position}]",
                    "a remediation names no product or group",
                )


@check("6.1.30")
def mixed_versioning(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    version = _tracking(doc).get("version")
    if not isinstance(version, str):
        return
    integer = _is_int(version)
    for index, item in _history(doc):
        if _is_int(str(item.get("number"))) != integer:
            yield CsafError(
                "6.1.30",
                f"$.document.tracking.revision_history[{index}].number",
                "integer and semantic versioning are mixed",
            )


@check("6.1.31")
def range_in_product_version(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    def walk(branches: Any, path: str) -> Iterator[CsafError]:
        for index, branch in enumerate(_list(branches)):
            branch = _dict(branch)
            here = f"{path}[{index}]"
            name = branch.get("name")
            if (
                branch.get("category") == "product_version"
                and isinstance(name, str)
                and ("<" in name or ">" in name or RANGE_WORDS & set(name.casefold().split()))
            ):
                yield CsafError(
                    "6.1.31", f"{here}.name", f"the product version {name[:40]!r} is a range"
                )
            yield from walk(branch.get("branches"), f"{here}.branches")

    yield from walk(_dict(doc.get("product_tree")).get("branches"), "$.product_tree.branches")


@check("6.1.32")
def flag_reference(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    for index, vuln in _vulns(doc):
        for position, item in enumerate(_list(vuln.get("flags"))):
            if not _dict(item).get("product_ids") and not _dict(item).get("group_ids"):
                yield CsafError(
                    "6.1.32",
                    f"$.vulnerabilities[{index}].flags[{position}]",
                    "a flag names no product or group",
                )


@check("6.1.33")
def multiple_flags(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    groups = _groups(doc)
    for index, vuln in _vulns(doc):
        seen: set[str] = set()
        for position, item in enumerate(_list(vuln.get("flags"))):
            for pid in sorted(_targets(_dict(item), groups)):
                if pid in seen:
                    yield CsafError(
                        "6.1.33",
                        f"$.vulnerabilities[{index}].flags[{position}]",
                        f"product {pid[:60]!r} has two VEX justifications",
                    )
                seen.add(pid)


def mandatory_failures(doc: Mapping[str, Any]) -> Iterator[CsafError]:
    """Every failure of every implemented mandatory test, in test order."""
    for function in CHECKS.values():
        yield from function(doc)


def run_mandatory_tests(
    doc: Mapping[str, Any], tolerate: frozenset[str] = frozenset()
) -> list[CsafError]:
    """Raise the first failure of a test not in ``tolerate``; return the tolerated ones."""
    tolerated = []
    for error in mandatory_failures(doc):
        if error.test_id in tolerate:
            tolerated.append(error)
            continue
        raise error
    return tolerated
