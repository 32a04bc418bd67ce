"""Matching an inventory against CSAF advisories and NVD records, each verdict saying why.

Index first, then look up: every CSAF product is indexed under its normalised (vendor, product
name) keys, its CPE (vendor, product) and its purl (type/namespace/name); every vulnerable NVD
criterion under its CPE (vendor, product). A device looks up its own keys (through the alias
table), so the cost grows with the devices and the advisories that name their products, not with
their product.

CSAF: a product whose vendor and product name (or CPE, or purl) are the device's is related to
it; its version (``product_version``: the same version; ``product_version_range``: inside the
range) decides. The verdict carries the CSAF status of that product for each vulnerability. A
range or a version that cannot be read or compared gives ``needs_review`` with the reason.

NVD: a configuration is evaluated for the device (OR/AND nodes, negation); a vulnerable criterion
applies when its vendor and product are the device's and the version satisfies the criterion's
version and its start/end bounds; a non-vulnerable criterion (the platform the vulnerable one runs
on) holds when it names the device itself (its hardware), else it is unknown for the device
and the configuration gives ``needs_review``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from hygie.devices.engine.cpe import ANY, CPE, NA, CPEError, cpe_matches, parse_cpe
from hygie.devices.engine.csaf import Advisory, Product
from hygie.devices.engine.names import Aliases, cpe_product_key, product_key
from hygie.devices.engine.nvd import CPEMatch, CveRecord, Node
from hygie.devices.engine.ranges import contains
from hygie.devices.engine.versions import compare, parse_version, same_version, scheme

STATUSES = ("known_affected", "fixed", "known_not_affected", "under_investigation", "needs_review")


@dataclass(frozen=True)
class InventoryItem:
    id: str
    manufacturer: str
    model: str
    version: str
    cpe: str = ""
    purl: str = ""


@dataclass(frozen=True)
class Verdict:
    device: str
    advisory: str
    cve: str
    product_id: str
    status: str  # known_affected | fixed | known_not_affected | under_investigation | needs_review
    why: str
    remediation: str = ""
    source: str = "csaf"  # csaf | nvd | sbom

    def to_dict(self) -> dict[str, str]:
        return {
            "device": self.device,
            "advisory": self.advisory,
            "cve": self.cve,
            "product_id": self.product_id,
            "status": self.status,
            "why": self.why,
        }


def purl_key(purl: str) -> str:
    """``pkg:type/namespace/name`` (no version, qualifiers or subpath), case-folded."""
    text = purl.strip()
    if not text.casefold().startswith("pkg:"):
        return ""
    body = text[4:].split("#", 1)[0].split("?", 1)[0].split("@", 1)[0]
    return "pkg:" + body.strip("/").casefold()


def purl_version(purl: str) -> str:
    body = purl.split("#", 1)[0].split("?", 1)[0]
    return body.rsplit("@", 1)[1] if "@" in body else ""


def _cpe_or_none(text: str) -> CPE | None:
    if not text:
        return None
    try:
        return parse_cpe(text)
    except CPEError:
        return None


# --- version decisions --------------------------------------------------------------------------


def _csaf_version(product: Product, version: str) -> tuple[bool | None, str]:
    """Whether the device's version is the product's (True/False/None with why)."""
    rng = product.range
    if rng is None:
        # A full product name or a tree without version branches: the product itself.
        return True, f"product {product.name!r} names no version apart"
    if not version.strip():
        if rng.is_all:
            return True, "all versions are concerned"
        return None, f"the device has no version; the advisory concerns {rng.text!r}"
    if product.category == "product_version" and _same_text(version, product.version_text):
        return True, f"version {version!r} is written as the advisory's {product.version_text!r}"
    if product.category == "product_version" and rng.problem:
        if same_version(version, product.version_text):
            return True, f"version {version!r} is the advisory's {product.version_text!r}"
        return None, (
            f"the advisory's product version {product.version_text!r} is not a version "
            f"({rng.problem}); compare it with {version!r} by hand"
        )
    if rng.is_exact:
        if same_version(version, rng.constraints[0].version.text):
            return True, f"version {version!r} is the advisory's {product.version_text!r}"
        found = compare(
            parse_version(version) or rng.constraints[0].version, rng.constraints[0].version
        )
        if found is None and parse_version(version) is not None:
            return None, (
                f"version {version!r} cannot be compared with {product.version_text!r} "
                "(different version shapes)"
            )
        return False, f"version {version!r} is not {product.version_text!r}"
    return contains(rng, version)


def _same_text(left: str, right: str) -> bool:
    return " ".join(left.split()).casefold() == " ".join(right.split()).casefold()


def _rule(version: str) -> str:
    return f"compared as {scheme(version)}" if version.strip() else ""


# --- CSAF index -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    advisory: Advisory
    product: Product
    via: str  # how the product was related to the device


class _CsafIndex:
    def __init__(self, advisories: Iterable[Advisory], aliases: Aliases) -> None:
        self.by_name: dict[tuple[str, str], list[tuple[Advisory, Product]]] = defaultdict(list)
        self.by_cpe: dict[tuple[str, str], list[tuple[Advisory, Product]]] = defaultdict(list)
        self.by_purl: dict[str, list[tuple[Advisory, Product]]] = defaultdict(list)
        self.affected_ids: dict[int, set[str]] = {}
        for advisory in advisories:
            named = {
                pid for vulnerability in advisory.vulnerabilities for pid in vulnerability.statuses
            }
            for product in advisory.products.values():
                if product.product_id not in named:
                    continue
                if product.vendor and product.product_name:
                    # The product name, and the model numbers the advisory gives for it.
                    names = {product_key(product.product_name)}
                    names.update(product_key(m) for m in product.model_numbers if m.strip())
                    for vendor in aliases.vendors(product.vendor):
                        for name in names:
                            self.by_name[(vendor, name)].append((advisory, product))
                cpe = _cpe_or_none(product.cpe)
                if cpe is not None and cpe.vendor not in (ANY, NA):
                    key = (aliases.canonical(product_key(cpe.vendor)), cpe_product_key(cpe.product))
                    self.by_cpe[key].append((advisory, product))
                for purl in product.purls:
                    if purl_key(purl):
                        self.by_purl[purl_key(purl)].append((advisory, product))

    def lookup(self, item: InventoryItem, aliases: Aliases) -> list[_Entry]:
        found: dict[tuple[int, str], _Entry] = {}
        model = product_key(item.model)
        for vendor in aliases.vendors(item.manufacturer):
            for advisory, product in self.by_name.get((vendor, model), ()):
                found.setdefault(
                    (id(advisory), product.product_id),
                    _Entry(advisory, product, f"{product.vendor} {product.product_name}"),
                )
        cpe = _cpe_or_none(item.cpe)
        if cpe is not None:
            key = (aliases.canonical(product_key(cpe.vendor)), cpe_product_key(cpe.product))
            for advisory, product in self.by_cpe.get(key, ()):
                found.setdefault(
                    (id(advisory), product.product_id),
                    _Entry(advisory, product, f"CPE {product.cpe}"),
                )
        if purl_key(item.purl):
            for advisory, product in self.by_purl.get(purl_key(item.purl), ()):
                found.setdefault(
                    (id(advisory), product.product_id),
                    _Entry(advisory, product, f"purl {purl_key(item.purl)}"),
                )
        return list(found.values())


def _item_version(item: InventoryItem, entry: _Entry) -> str:
    if entry.via.startswith("CPE "):
        cpe = _cpe_or_none(item.cpe)
        if cpe is not None and cpe.version not in (ANY, NA) and not item.version:
            return cpe.version
    if entry.via.startswith("purl ") and not item.version:
        return purl_version(item.purl)
    return item.version


def _csaf_verdicts(item: InventoryItem, entry: _Entry) -> list[Verdict]:
    advisory, product = entry.advisory, entry.product
    version = _item_version(item, entry)
    decided, reason = _csaf_version(product, version)
    if decided is False:
        return []
    verdicts = []
    rule = _rule(version)
    for vulnerability in advisory.vulnerabilities:
        state = vulnerability.statuses.get(product.product_id)
        if state is None:
            continue
        status = state.status if decided else "needs_review"
        label = product.version_text or product.name
        why = (
            f"{entry.via} {label!r} ({product.category.replace('_', ' ') or 'product'}) in "
            f"{advisory.tracking_id}: {reason}"
        )
        if rule and product.range is not None and not product.range.is_all:
            why += f"; {rule}"
        if product.relationship:
            why += f"; {product.relationship.replace('_', ' ')}"
        if decided:
            why += f"; the advisory lists it as {state.original.replace('_', ' ')}"
        else:
            why += f"; the advisory lists it as {state.original.replace('_', ' ')} (review)"
        remediation = "\n".join(vulnerability.remediations.get(product.product_id, ()))
        verdicts.append(
            Verdict(
                device=item.id,
                advisory=advisory.tracking_id,
                cve=vulnerability.cve or (vulnerability.ids[0] if vulnerability.ids else ""),
                product_id=product.product_id,
                status=status,
                why=why,
                remediation=remediation,
                source="csaf",
            )
        )
    return verdicts


# --- NVD ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Device:
    vendors: frozenset[str]
    product: str
    version: str
    cpe: CPE | None


def _criterion_version(match: CPEMatch, version: str) -> tuple[bool | None, str]:
    fixed = match.criteria.version
    bounds = [
        (op, value)
        for op, value in (
            (">=", match.start_including),
            (">", match.start_excluding),
            ("<=", match.end_including),
            ("<", match.end_excluding),
        )
        if value
    ]
    if fixed == NA:
        return True, "the criterion has no version (NA)"
    if fixed != ANY:
        if not version:
            return None, f"the device has no version; the criterion is version {fixed}"
        if same_version(version, fixed):
            return True, f"version {version} is {fixed}"
        if parse_version(version) is None:
            return None, f"the device's version {version!r} cannot be read"
        return False, f"version {version} is not {fixed}"
    if not bounds:
        return True, "every version (ANY)"
    if not version:
        return None, "the device has no version; the criterion has a version range"
    mine = parse_version(version)
    if mine is None:
        return None, f"the device's version {version!r} cannot be read"
    for op, value in bounds:
        theirs = parse_version(value)
        order = compare(mine, theirs) if theirs is not None else None
        if order is None:
            return None, f"version {version!r} cannot be compared with {value!r}"
        holds = {
            ">=": order >= 0,
            ">": order > 0,
            "<=": order <= 0,
            "<": order < 0,
        }[op]
        if not holds:
            return False, f"version {version} is not {op}{value}"
    return True, f"version {version} is {' '.join(f'{op}{v}' for op, v in bounds)}"


def _names_device(criteria: CPE, device: _Device, aliases: Aliases) -> bool:
    vendor = aliases.canonical(product_key(criteria.vendor))
    return vendor in device.vendors and cpe_product_key(criteria.product) == device.product


def _evaluate_match(
    match: CPEMatch, device: _Device, aliases: Aliases, reasons: list[str]
) -> bool | None:
    if _names_device(match.criteria, device, aliases):
        if device.cpe is not None and not cpe_matches(
            match.criteria, device.cpe, skip=("part", "vendor", "product", "version")
        ):
            # The device's CPE says another update, edition, language or target platform.
            return False if match.vulnerable else None
        if not match.vulnerable and match.criteria.version not in (ANY, NA):
            # The device's own hardware, of a given revision (often a model number the
            # inventory's version field does not hold).
            if same_version(device.version, match.criteria.version):
                reasons.append(f"runs on {match.criteria_text}: the device")
                return True
            reasons.append(
                f"runs on {match.criteria_text}: hardware version "
                f"{match.criteria.version} not known for the device"
            )
            return None
        decided, why = _criterion_version(match, device.version)
        reasons.append(f"{match.describe()}: {why}")
        return decided
    if match.vulnerable:
        return False
    # A running-on platform the device is not known to be.
    reasons.append(f"runs on {match.criteria_text}: not known for the device")
    return None


def _evaluate_node(
    node: Node, device: _Device, aliases: Aliases, reasons: list[str]
) -> bool | None:
    results = [_evaluate_match(m, device, aliases, reasons) for m in node.matches]
    results += [_evaluate_node(child, device, aliases, reasons) for child in node.children]
    value: bool | None
    if node.operator == "AND":
        value = False if False in results else None if None in results else bool(results)
    else:
        value = True if True in results else None if None in results else False
    if node.negate and value is not None:
        value = not value
    return value


def _nvd_verdicts(
    item: InventoryItem, device: _Device, record: CveRecord, aliases: Aliases
) -> list[Verdict]:
    best: tuple[bool | None, list[str]] | None = None
    for configuration in record.configurations:
        reasons: list[str] = []
        results = [_evaluate_node(n, device, aliases, reasons) for n in configuration.nodes]
        if configuration.operator == "AND":
            value = False if False in results else None if None in results else bool(results)
        else:
            value = True if True in results else None if None in results else False
        if value is True:
            best = (True, reasons)
            break
        if value is None and best is None:
            best = (None, reasons)
    if best is None:
        return []
    decided, reasons = best
    status = "known_affected" if decided else "needs_review"
    why = f"NVD {record.cve}: " + "; ".join(dict.fromkeys(reasons))
    if device.version:
        why += f"; {_rule(device.version)}"
    return [
        Verdict(
            device=item.id,
            advisory=record.cve,
            cve=record.cve,
            product_id="",
            status=status,
            why=why[:2000],
            source="nvd",
        )
    ]


class _NvdIndex:
    """Records by the (vendor, product) keys of their vulnerable criteria; the keys of a CPE
    (vendor, product) pair are computed once (a full NVD set repeats them a lot)."""

    def __init__(self, records: Iterable[CveRecord], aliases: Aliases) -> None:
        self.by_key: dict[tuple[str, str], list[CveRecord]] = defaultdict(list)
        pairs: dict[tuple[str, str], tuple[str, str]] = {}
        for record in records:
            keys: set[tuple[str, str]] = set()
            stack = [n for c in record.configurations for n in c.nodes]
            while stack:
                node = stack.pop()
                if node.children:
                    stack.extend(node.children)
                for m in node.matches:
                    if not m.vulnerable:
                        continue
                    pair = (m.criteria.vendor, m.criteria.product)
                    key = pairs.get(pair)
                    if key is None:
                        key = pairs[pair] = (
                            aliases.canonical(product_key(pair[0])),
                            cpe_product_key(pair[1]),
                        )
                    keys.add(key)
            for key in keys:
                self.by_key[key].append(record)


def _device(item: InventoryItem, aliases: Aliases) -> list[_Device]:
    devices = []
    cpe = _cpe_or_none(item.cpe)
    if cpe is not None:
        version = item.version or (cpe.version if cpe.version not in (ANY, NA) else "")
        devices.append(
            _Device(
                frozenset({aliases.canonical(product_key(cpe.vendor))}),
                cpe_product_key(cpe.product),
                version,
                cpe,
            )
        )
    vendors = frozenset(aliases.vendors(item.manufacturer))
    if vendors and item.model.strip():
        devices.append(_Device(vendors, cpe_product_key(item.model), item.version, None))
    return devices


# --- entry point -------------------------------------------------------------------------------


def match(
    items: Iterable[InventoryItem],
    advisories: Iterable[Advisory] = (),
    cves: Iterable[CveRecord] = (),
    aliases: Mapping[str, str] | None = None,
) -> list[Verdict]:
    """Every verdict relating an inventory item to an advisory's product or an NVD record."""
    table = Aliases(aliases)
    csaf_index = _CsafIndex(advisories, table)
    nvd_index = _NvdIndex(cves, table)
    verdicts: list[Verdict] = []
    for item in items:
        for entry in csaf_index.lookup(item, table):
            verdicts.extend(_csaf_verdicts(item, entry))
        seen: set[str] = set()
        for device in _device(item, table):
            for vendor in device.vendors:
                for record in nvd_index.by_key.get((vendor, device.product), ()):
                    if record.cve in seen:
                        continue
                    found = _nvd_verdicts(item, device, record, table)
                    if found:
                        seen.add(record.cve)
                        verdicts.extend(found)
    return verdicts


def comparison_rules(advisories: Iterable[Advisory]) -> dict[tuple[str, str], str]:
    """The version comparison rule of each (vendor, product name) of these advisories, from the
    versions they state: "semver", "dotted-numeric", "vendor-tokens" (several: the loosest)."""
    order = ("semver", "dotted-numeric", "vendor-tokens")
    rules: dict[tuple[str, str], str] = {}
    for advisory in advisories:
        for product in advisory.products.values():
            if not (product.vendor and product.product_name) or product.range is None:
                continue
            for constraint in product.range.constraints:
                rule = scheme(constraint.version.text)
                key = (product.vendor, product.product_name)
                if order.index(rule) > order.index(rules.get(key, "semver")):
                    rules[key] = rule
                else:
                    rules.setdefault(key, rule)
    return rules


def is_affected(verdicts: Sequence[Verdict]) -> bool:
    return any(v.status == "known_affected" for v in verdicts)
