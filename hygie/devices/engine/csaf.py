"""CSAF 2.0 advisories: validation (schema and mandatory tests), then the product tree flattened
into products and the vulnerabilities into per-product statuses, remediations and scores.

``parse_csaf(text_or_document, name)`` raises :class:`CsafError` naming the failing test
("schema" or "6.1.x"), the JSON path and the problem. The product tree is flattened from its
branches (vendor → product_name → product_version / product_version_range, with the other branch
categories kept as details), its ``full_product_names`` and its relationships; product groups
are expanded where statuses, remediations, scores, flags or threats name them.

Statuses map onto four verdicts: ``known_affected``, ``first_affected`` and ``last_affected`` →
``known_affected``; ``fixed``, ``first_fixed`` and ``recommended`` → ``fixed`` (a recommended
version is a fixed one); ``known_not_affected``; ``under_investigation``. The original status is
kept for the explanation.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from hygie.devices.engine.ranges import Range, parse_product_version, parse_range
from hygie.lib.errors import HygieError

MAX_DOCUMENT_CHARS = 64 * 1024 * 1024
MAX_DEPTH = 64
STATUS_OF = {
    "known_affected": "known_affected",
    "first_affected": "known_affected",
    "last_affected": "known_affected",
    "fixed": "fixed",
    "first_fixed": "fixed",
    "recommended": "fixed",
    "known_not_affected": "known_not_affected",
    "under_investigation": "under_investigation",
}
# When a product holds several statuses for one CVE (a mandatory-test failure), the most
# cautious verdict wins.
STATUS_RANK = ("known_affected", "under_investigation", "fixed", "known_not_affected")


class CsafError(HygieError, ValueError):
    """A CSAF document refused: the test that failed (``schema``, ``json`` or ``6.1.x``), the
    JSON path, and the problem."""

    def __init__(self, test_id: str, path: str, message: str) -> None:
        super().__init__(f"{test_id} {path}: {message}")
        self.test_id, self.path, self.problem = test_id, path, message


@dataclass(frozen=True)
class Product:
    """One product of the tree, flattened: who makes it, what it is, which versions."""

    product_id: str
    name: str
    vendor: str = ""
    product_name: str = ""
    family: str = ""
    category: str = ""  # product_version | product_version_range | full_product_name | ...
    version_text: str = ""
    range: Range | None = None
    cpe: str = ""
    purls: tuple[str, ...] = ()
    model_numbers: tuple[str, ...] = ()
    details: tuple[tuple[str, str], ...] = ()  # other branch categories (architecture, ...)
    relationship: str = ""  # for a relationship's product: "<category> <other product id>"


@dataclass(frozen=True)
class ProductState:
    status: str  # one of the four verdicts
    original: str  # the CSAF status list it came from


@dataclass(frozen=True)
class CsafVulnerability:
    cve: str
    title: str
    ids: tuple[str, ...]  # other identifiers (system_name:text) when there is no CVE
    statuses: Mapping[str, ProductState]
    remediations: Mapping[str, tuple[str, ...]]
    scores: Mapping[str, tuple[str, float | None]]  # product id → (vector, base score)
    cwe: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Advisory:
    """A parsed CSAF advisory."""

    name: str
    tracking_id: str
    title: str
    publisher: str
    version: str
    status: str
    category: str
    products: Mapping[str, Product]
    groups: Mapping[str, tuple[str, ...]]
    vulnerabilities: tuple[CsafVulnerability, ...]
    document: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


def _load(text_or_document: str | bytes | Mapping[str, Any], name: str) -> dict[str, Any]:
    if isinstance(text_or_document, Mapping):
        document = dict(text_or_document)
    else:
        text = (
            text_or_document.decode("utf-8-sig", errors="strict")
            if isinstance(text_or_document, bytes)
            else text_or_document
        )
        if len(text) > MAX_DOCUMENT_CHARS:
            raise CsafError("json", "$", "the document is too large")
        try:
            document = json.loads(text)
        except (ValueError, RecursionError) as error:
            raise CsafError("json", "$", f"not JSON ({str(error)[:120]})") from None
    if not isinstance(document, dict):
        raise CsafError("json", "$", "a CSAF document is a JSON object")
    _check_depth(document)
    return document


def _check_depth(value: Any) -> None:
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise CsafError("json", "$", f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def parse_csaf(
    text_or_document: str | bytes | Mapping[str, Any], name: str = "", validate: bool = True
) -> Advisory:
    """Parse (and by default validate) one CSAF 2.0 document."""
    document = _load(text_or_document, name)
    if validate:
        from hygie.devices.engine.csaf_checks import run_mandatory_tests
        from hygie.devices.engine.csaf_schema import validate_schema

        validate_schema(document)
        run_mandatory_tests(document)
    return build_advisory(document, name)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _helper(product: Mapping[str, Any]) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    helper = product.get("product_identification_helper")
    if not isinstance(helper, dict):
        return "", (), ()
    purls: list[str] = []
    if isinstance(helper.get("purl"), str):
        purls.append(helper["purl"])
    models = tuple(str(m) for m in helper.get("model_numbers") or [] if isinstance(m, str))
    return _text(helper.get("cpe")), tuple(purls), models


def walk_branches(
    branches: Any, trail: tuple[tuple[str, str], ...] = ()
) -> Iterator[tuple[tuple[tuple[str, str], ...], Mapping[str, Any]]]:
    """(path of (category, name), product) for every product under these branches."""
    stack: list[tuple[Any, tuple[tuple[str, str], ...]]] = [(branches, trail)]
    while stack:
        items, path = stack.pop()
        if not isinstance(items, list):
            continue
        for branch in reversed(items):
            if not isinstance(branch, dict):
                continue
            here = (*path, (_text(branch.get("category")), _text(branch.get("name"))))
            if isinstance(branch.get("product"), dict):
                yield here, branch["product"]
            if isinstance(branch.get("branches"), list):
                stack.append((branch["branches"], here))


def _branch_product(path: tuple[tuple[str, str], ...], product: Mapping[str, Any]) -> Product:
    found: dict[str, str] = {}
    details: list[tuple[str, str]] = []
    for category, value in path:
        if category in ("vendor", "product_name", "product_family"):
            found[category] = value
        elif category in ("product_version", "product_version_range"):
            found["category"], found["version"] = category, value
        else:
            details.append((category, value))
    cpe, purls, models = _helper(product)
    category = found.get("category", path[-1][0] if path else "")
    version = found.get("version", "")
    rng: Range | None = None
    if category == "product_version_range":
        rng = parse_range(version)
    elif category == "product_version":
        rng = parse_product_version(version)
    return Product(
        product_id=_text(product.get("product_id")),
        name=_text(product.get("name")),
        vendor=found.get("vendor", ""),
        product_name=found.get("product_name", "") or found.get("product_family", ""),
        family=found.get("product_family", ""),
        category=category,
        version_text=version,
        range=rng,
        cpe=cpe,
        purls=purls,
        model_numbers=models,
        details=tuple(details),
    )


def flatten_product_tree(tree: Any) -> dict[str, Product]:
    """Every product of a product tree by id (branches, full product names, relationships)."""
    products: dict[str, Product] = {}
    if not isinstance(tree, dict):
        return products
    for path, product in walk_branches(tree.get("branches")):
        flat = _branch_product(path, product)
        if flat.product_id:
            products.setdefault(flat.product_id, flat)
    for product in tree.get("full_product_names") or []:
        if isinstance(product, dict) and _text(product.get("product_id")):
            cpe, purls, models = _helper(product)
            products.setdefault(
                product["product_id"],
                Product(
                    product_id=product["product_id"],
                    name=_text(product.get("name")),
                    category="full_product_name",
                    cpe=cpe,
                    purls=purls,
                    model_numbers=models,
                ),
            )
    for relation in tree.get("relationships") or []:
        if not isinstance(relation, dict):
            continue
        combined = relation.get("full_product_name")
        if not isinstance(combined, dict) or not _text(combined.get("product_id")):
            continue
        category = _text(relation.get("category"))
        component = products.get(_text(relation.get("product_reference")))
        platform = products.get(_text(relation.get("relates_to_product_reference")))
        # The device is the platform a component is part of, or the product installed on a
        # platform; the other side is recorded for the explanation.
        if category in ("installed_on", "installed_with"):
            base, other = component, platform
        else:
            base, other = platform, component
        cpe, purls, models = _helper(combined)
        products.setdefault(
            combined["product_id"],
            Product(
                product_id=combined["product_id"],
                name=_text(combined.get("name")),
                vendor=base.vendor if base else "",
                product_name=base.product_name if base else "",
                family=base.family if base else "",
                category=base.category if base else "relationship",
                version_text=base.version_text if base else "",
                range=base.range if base else None,
                cpe=cpe or (base.cpe if base else ""),
                purls=purls or (base.purls if base else ()),
                model_numbers=models or (base.model_numbers if base else ()),
                relationship=f"{category} {other.name if other else ''}".strip(),
            ),
        )
    return products


def product_groups(tree: Any) -> dict[str, tuple[str, ...]]:
    groups: dict[str, tuple[str, ...]] = {}
    if isinstance(tree, dict):
        for group in tree.get("product_groups") or []:
            if isinstance(group, dict) and _text(group.get("group_id")):
                groups.setdefault(
                    group["group_id"],
                    tuple(p for p in group.get("product_ids") or [] if isinstance(p, str)),
                )
    return groups


def _targets(item: Mapping[str, Any], groups: Mapping[str, tuple[str, ...]]) -> list[str]:
    ids = [p for p in item.get("product_ids") or [] if isinstance(p, str)]
    for group in item.get("group_ids") or []:
        ids.extend(groups.get(group, ()) if isinstance(group, str) else ())
    return ids


def _vulnerability(
    item: Mapping[str, Any], groups: Mapping[str, tuple[str, ...]]
) -> CsafVulnerability:
    statuses: dict[str, ProductState] = {}
    product_status = item.get("product_status")
    if isinstance(product_status, dict):
        for original, verdict in STATUS_OF.items():
            for product_id in product_status.get(original) or []:
                if not isinstance(product_id, str):
                    continue
                current = statuses.get(product_id)
                if current is None or STATUS_RANK.index(verdict) < STATUS_RANK.index(
                    current.status
                ):
                    statuses[product_id] = ProductState(verdict, original)
    remediations: dict[str, list[str]] = {}
    for remediation in item.get("remediations") or []:
        if not isinstance(remediation, dict):
            continue
        text = " ".join(
            part
            for part in (
                _text(remediation.get("category")).replace("_", " ").capitalize() + ":",
                _text(remediation.get("details")),
                _text(remediation.get("url")),
            )
            if part and part != ":"
        )
        for product_id in _targets(remediation, groups):
            remediations.setdefault(product_id, []).append(text)
    scores: dict[str, tuple[str, float | None]] = {}
    for score in item.get("scores") or []:
        if not isinstance(score, dict):
            continue
        for key in ("cvss_v3", "cvss_v2"):
            cvss = score.get(key)
            if isinstance(cvss, dict) and isinstance(cvss.get("vectorString"), str):
                base = cvss.get("baseScore")
                value = float(base) if isinstance(base, int | float) else None
                for product_id in score.get("products") or []:
                    if isinstance(product_id, str):
                        scores.setdefault(product_id, (cvss["vectorString"], value))
                break
    cwe = item.get("cwe")
    ids = tuple(
        f"{_text(i.get('system_name'))}:{_text(i.get('text'))}"
        for i in item.get("ids") or []
        if isinstance(i, dict)
    )
    return CsafVulnerability(
        cve=_text(item.get("cve")),
        title=_text(item.get("title")),
        ids=ids,
        statuses=statuses,
        remediations={k: tuple(v) for k, v in remediations.items()},
        scores=scores,
        cwe=_text(cwe.get("id")) if isinstance(cwe, dict) else "",
        notes=tuple(_text(n.get("text")) for n in item.get("notes") or [] if isinstance(n, dict)),
    )


def build_advisory(document: Mapping[str, Any], name: str = "") -> Advisory:
    """The advisory of an (already validated) document."""
    meta = document.get("document") if isinstance(document.get("document"), dict) else {}
    assert isinstance(meta, dict)
    tracking = meta.get("tracking") if isinstance(meta.get("tracking"), dict) else {}
    assert isinstance(tracking, dict)
    publisher = meta.get("publisher") if isinstance(meta.get("publisher"), dict) else {}
    assert isinstance(publisher, dict)
    tree = document.get("product_tree")
    groups = product_groups(tree)
    return Advisory(
        name=name,
        tracking_id=_text(tracking.get("id")),
        title=_text(meta.get("title")),
        publisher=_text(publisher.get("name")),
        version=_text(tracking.get("version")),
        status=_text(tracking.get("status")),
        category=_text(meta.get("category")),
        products=flatten_product_tree(tree),
        groups=groups,
        vulnerabilities=tuple(
            _vulnerability(item, groups)
            for item in document.get("vulnerabilities") or []
            if isinstance(item, dict)
        ),
        document=document,
    )
