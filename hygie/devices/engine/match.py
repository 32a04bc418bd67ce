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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any, overload

from hygie.devices.engine.cpe import ANY, CPE, NA, CPEError, cpe_matches, parse_cpe
from hygie.devices.engine.csaf import Advisory, Product
from hygie.devices.engine.names import Aliases, cpe_product_key, product_key
from hygie.devices.engine.nvd import CPEMatch, CveRecord, Node
from hygie.devices.engine.ranges import VERSION_UNREADABLE, contains_text
from hygie.devices.engine.texts import Text, clauses, gettext_noop, text
from hygie.devices.engine.versions import (
    Token,
    Version,
    compare,
    parse_version,
    same_version,
    scheme,
)
from hygie.lib.memory import collector_paused, freeze_if_large, settle_if_large

STATUSES = ("known_affected", "fixed", "known_not_affected", "under_investigation", "needs_review")
MAX_WHY = 2000


@dataclass(frozen=True)
class InventoryItem:
    id: str
    manufacturer: str
    model: str
    version: str
    cpe: str = ""
    purl: str = ""


class Deferred:
    """An explanation not made yet: ``make(*args)`` makes it when first read (decision 0045).
    Matching notes what decided (plain values); most verdicts are stored or counted, and the
    text of those read is made then, the same as if made at once."""

    __slots__ = ("args", "make")

    def __init__(self, make: Callable[..., Text | str], *args: Any) -> None:
        self.make, self.args = make, args


class _Explanation:
    """``Verdict.explanation``: the :class:`Text` (or plain English) given, or the one a
    :class:`Deferred` makes, made once when first read."""

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> str: ...

    @overload
    def __get__(self, instance: Verdict, owner: type[Any]) -> Text | str: ...

    def __get__(self, instance: Verdict | None, owner: type[Any]) -> Text | str:
        if instance is None:
            return ""  # the dataclass field's default
        value = instance.__dict__["_explanation"]
        if isinstance(value, Deferred):
            value = instance.__dict__["_explanation"] = value.make(*value.args)
        return value  # type: ignore[no-any-return]

    def __set__(self, instance: Verdict, value: Text | str | Deferred) -> None:
        # Set once by the frozen dataclass's __init__ (through object.__setattr__).
        instance.__dict__["_explanation"] = value


@dataclass(frozen=True)
class Verdict:
    device: str
    advisory: str
    cve: str
    product_id: str
    status: str  # known_affected | fixed | known_not_affected | under_investigation | needs_review
    # Why, as a translatable text (msgids and values: decision 0041), shown in the reader's
    # language by the platform; ``why`` is its English rendering, made when first read. Given
    # as a :class:`Deferred`, the text itself is made when first read too (decision 0045).
    explanation: _Explanation = _Explanation()
    remediation: str = ""
    source: str = "csaf"  # csaf | nvd | sbom

    @cached_property
    def why(self) -> str:
        """The explanation in English (the CLI's ``why``; what the API stores)."""
        rendered = str(self.explanation)
        return rendered[:MAX_WHY] if len(rendered) > MAX_WHY else rendered

    def to_dict(self) -> dict[str, str]:
        return {
            "device": self.device,
            "advisory": self.advisory,
            "cve": self.cve,
            "product_id": self.product_id,
            "status": self.status,
            "why": self.why,
        }


def explained(explanation: Text | str | Deferred, **fields: str) -> Verdict:
    """A verdict explained by ``explanation``."""
    return Verdict(explanation=explanation, **fields)


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


@lru_cache(maxsize=65536)
def _cpe_or_none(text: str) -> CPE | None:
    if not text:
        return None
    try:
        return parse_cpe(text)
    except CPEError:
        return None


# --- words of the explanations (msgids) ------------------------------------------------------

_CATEGORIES = {
    "product_version": gettext_noop("product version"),
    "product_version_range": gettext_noop("product version range"),
    "product_name": gettext_noop("product name"),
    "product_family": gettext_noop("product family"),
    "full_product_name": gettext_noop("full product name"),
    "relationship": gettext_noop("relationship"),
    "": gettext_noop("product"),
}
_ORIGINAL_STATUSES = {
    "known_affected": gettext_noop("known affected"),
    "first_affected": gettext_noop("first affected"),
    "last_affected": gettext_noop("last affected"),
    "fixed": gettext_noop("fixed"),
    "first_fixed": gettext_noop("first fixed"),
    "recommended": gettext_noop("recommended"),
    "known_not_affected": gettext_noop("known not affected"),
    "under_investigation": gettext_noop("under investigation"),
}
_RELATIONSHIPS = {
    "default_component_of": gettext_noop("default component of %(product)s"),
    "external_component_of": gettext_noop("external component of %(product)s"),
    "installed_on": gettext_noop("installed on %(product)s"),
    "installed_with": gettext_noop("installed with %(product)s"),
    "optional_component_of": gettext_noop("optional component of %(product)s"),
}
_RULES = {
    "semver": gettext_noop("compared as semver"),
    "dotted-numeric": gettext_noop("compared as dotted-numeric"),
    "vendor-tokens": gettext_noop("compared as vendor-tokens"),
}


def _word(words: Mapping[str, str], key: str) -> Text | str:
    """A CSAF keyword as its translatable words (an unknown one as found, underscores as
    spaces)."""
    msgid = words.get(key)
    return Text(msgid) if msgid else key.replace("_", " ")


def _relationship(relationship: str) -> Text | str:
    category, _space, other = relationship.partition(" ")
    msgid = _RELATIONSHIPS.get(category)
    if msgid is None or not other:
        return relationship.replace("_", " ")
    return text(msgid, product=other)


# --- version decisions --------------------------------------------------------------------------


def _csaf_version(product: Product, version: str) -> tuple[bool | None, Text]:
    """Whether the device's version is the product's (True/False/None with why)."""
    rng = product.range
    if rng is None:
        # A full product name or a tree without version branches: the product itself.
        return True, text(
            gettext_noop("product %(product)r names no version apart"), product=product.name
        )
    if not version.strip():
        if rng.is_all:
            return True, Text(gettext_noop("all versions are concerned"))
        return None, text(
            gettext_noop("the device has no version; the advisory concerns %(range)r"),
            range=rng.text,
        )
    if product.category == "product_version" and _same_text(version, product.version_text):
        return True, text(
            gettext_noop("version %(version)r is written as the advisory's %(theirs)r"),
            version=version,
            theirs=product.version_text,
        )
    if product.category == "product_version" and rng.problem:
        if same_version(version, product.version_text):
            return True, text(_IS_THEIRS, version=version, theirs=product.version_text)
        return None, text(
            gettext_noop(
                "the advisory's product version %(theirs)r is not a version (%(problem)s); "
                "compare it with %(version)r by hand"
            ),
            theirs=product.version_text,
            problem=rng.reason or rng.problem,
            version=version,
        )
    if rng.is_exact:
        if same_version(version, rng.constraints[0].version.text):
            return True, text(_IS_THEIRS, version=version, theirs=product.version_text)
        found = compare(
            parse_version(version) or rng.constraints[0].version, rng.constraints[0].version
        )
        if found is None and parse_version(version) is not None:
            return None, text(
                gettext_noop(
                    "version %(version)r cannot be compared with %(theirs)r "
                    "(different version shapes)"
                ),
                version=version,
                theirs=product.version_text,
            )
        return False, text(
            gettext_noop("version %(version)r is not %(theirs)r"),
            version=version,
            theirs=product.version_text,
        )
    return contains_text(rng, version)


_IS_THEIRS = gettext_noop("version %(version)r is the advisory's %(theirs)r")


def _same_text(left: str, right: str) -> bool:
    return " ".join(left.split()).casefold() == " ".join(right.split()).casefold()


def _rule(version: str) -> Text | None:
    return Text(_RULES[scheme(version)]) if version.strip() else None


# --- CSAF index -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    advisory: Advisory
    product: Product
    via: Text  # how the product was related to the device
    kind: str  # name | cpe | purl


_VIA_NAME = gettext_noop("%(vendor)s %(product)s")
_VIA_CPE = gettext_noop("CPE %(cpe)s")
_VIA_PURL = gettext_noop("purl %(purl)s")


class _CsafIndex:
    def __init__(self, advisories: Iterable[Advisory], aliases: Aliases) -> None:
        self.by_name: dict[tuple[str, str], list[tuple[Advisory, Product]]] = defaultdict(list)
        self.by_cpe: dict[tuple[str, str], list[tuple[Advisory, Product]]] = defaultdict(list)
        self.by_purl: dict[str, list[tuple[Advisory, Product]]] = defaultdict(list)
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
        # Looked up with .get: no empty list is created for a device that names nothing.
        self.size = sum(map(len, self.by_name.values())) + sum(map(len, self.by_cpe.values()))
        self.by_name, self.by_cpe = dict(self.by_name), dict(self.by_cpe)
        self.by_purl = dict(self.by_purl)

    def lookup(self, item: InventoryItem, aliases: Aliases) -> list[_Entry]:
        found: dict[tuple[int, str], _Entry] = {}
        if self.by_name:
            model = product_key(item.model)
            for vendor in aliases.vendors(item.manufacturer):
                for advisory, product in self.by_name.get((vendor, model), ()):
                    found.setdefault(
                        (id(advisory), product.product_id),
                        _Entry(
                            advisory,
                            product,
                            text(_VIA_NAME, vendor=product.vendor, product=product.product_name),
                            "name",
                        ),
                    )
        cpe = _cpe_or_none(item.cpe) if self.by_cpe else None
        if cpe is not None:
            key = (aliases.canonical(product_key(cpe.vendor)), cpe_product_key(cpe.product))
            for advisory, product in self.by_cpe.get(key, ()):
                found.setdefault(
                    (id(advisory), product.product_id),
                    _Entry(advisory, product, text(_VIA_CPE, cpe=product.cpe), "cpe"),
                )
        if self.by_purl and purl_key(item.purl):
            for advisory, product in self.by_purl.get(purl_key(item.purl), ()):
                found.setdefault(
                    (id(advisory), product.product_id),
                    _Entry(advisory, product, text(_VIA_PURL, purl=purl_key(item.purl)), "purl"),
                )
        return list(found.values())


def _item_version(item: InventoryItem, entry: _Entry) -> str:
    if entry.kind == "cpe":
        cpe = _cpe_or_none(item.cpe)
        if cpe is not None and cpe.version not in (ANY, NA) and not item.version:
            return cpe.version
    if entry.kind == "purl" and not item.version:
        return purl_version(item.purl)
    return item.version


_CSAF_WHY = gettext_noop("%(via)s %(label)r (%(category)s) in %(advisory)s: %(reason)s")
_LISTED = gettext_noop("the advisory lists it as %(status)s")
_LISTED_REVIEW = gettext_noop("the advisory lists it as %(status)s (review)")


def _csaf_why(
    entry: _Entry, version: str, decided: bool | None, reason: Text, original: str
) -> Text | str:
    """The explanation of a CSAF verdict (made when read)."""
    advisory, product = entry.advisory, entry.product
    rule = _rule(version) if product.range is not None and not product.range.is_all else None
    head = text(
        _CSAF_WHY,
        via=entry.via,
        label=product.version_text or product.name,
        category=_word(_CATEGORIES, product.category),
        advisory=advisory.tracking_id,
        reason=reason,
    )
    relationship = _relationship(product.relationship) if product.relationship else None
    listed = text(
        _LISTED if decided else _LISTED_REVIEW, status=_word(_ORIGINAL_STATUSES, original)
    )
    return clauses(head, rule, relationship, listed)


def _csaf_verdicts(item: InventoryItem, entry: _Entry) -> list[Verdict]:
    advisory, product = entry.advisory, entry.product
    version = _item_version(item, entry)
    decided, reason = _csaf_version(product, version)
    if decided is False:
        return []
    verdicts = []
    for vulnerability in advisory.vulnerabilities:
        state = vulnerability.statuses.get(product.product_id)
        if state is None:
            continue
        status = state.status if decided else "needs_review"
        remediation = "\n".join(vulnerability.remediations.get(product.product_id, ()))
        verdicts.append(
            explained(
                Deferred(_csaf_why, entry, version, decided, reason, state.original),
                device=item.id,
                advisory=advisory.tracking_id,
                cve=vulnerability.cve or (vulnerability.ids[0] if vulnerability.ids else ""),
                product_id=product.product_id,
                status=status,
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


_NO_VERSION_FIXED = gettext_noop("the device has no version; the criterion is version %(fixed)s")
_IS_FIXED = gettext_noop("version %(version)s is %(fixed)s")
_NOT_FIXED = gettext_noop("version %(version)s is not %(fixed)s")
_NO_VERSION_RANGE = gettext_noop("the device has no version; the criterion has a version range")
_NOT_COMPARABLE = gettext_noop("version %(version)r cannot be compared with %(bound)r")
_OUTSIDE_BOUND = gettext_noop("version %(version)s is not %(bound)s")
_WITHIN_BOUNDS = gettext_noop("version %(version)s is %(bounds)s")
_HOLDS = {
    ">=": lambda order: order >= 0,
    ">": lambda order: order > 0,
    "<=": lambda order: order <= 0,
    "<": lambda order: order < 0,
}


def _bounds(match: CPEMatch) -> list[tuple[str, str]]:
    return [
        (op, value)
        for op, value in (
            (">=", match.start_including),
            (">", match.start_excluding),
            ("<=", match.end_including),
            ("<", match.end_excluding),
        )
        if value
    ]


def _criterion_version(match: CPEMatch, version: str) -> tuple[bool | None, str, tuple[Any, ...]]:
    """Whether the version satisfies the criterion's version and bounds, with the reason as a
    msgid and its values (a text is made of them only for a verdict kept)."""
    fixed = match.criteria.version
    if fixed == NA:
        return True, _NA, ()
    if fixed != ANY:
        if not version:
            return None, _NO_VERSION_FIXED, (("fixed", fixed),)
        if same_version(version, fixed):
            return True, _IS_FIXED, (("version", version), ("fixed", fixed))
        if parse_version(version) is None:
            return None, VERSION_UNREADABLE, (("version", version),)
        return False, _NOT_FIXED, (("version", version), ("fixed", fixed))
    if not (
        match.start_including or match.start_excluding or match.end_including or match.end_excluding
    ):
        return True, _EVERY, ()
    if not version:
        return None, _NO_VERSION_RANGE, ()
    mine = parse_version(version)
    if mine is None:
        return None, VERSION_UNREADABLE, (("version", version),)
    bounds = _bounds(match)
    for op, value in bounds:
        theirs = parse_version(value)
        order = compare(mine, theirs) if theirs is not None else None
        if order is None:
            return None, _NOT_COMPARABLE, (("version", version), ("bound", value))
        if not _HOLDS[op](order):
            return False, _OUTSIDE_BOUND, (("version", version), ("bound", f"{op}{value}"))
    return (
        True,
        _WITHIN_BOUNDS,
        (("version", version), ("bounds", " ".join(f"{op}{v}" for op, v in bounds))),
    )


_NA = gettext_noop("the criterion has no version (NA)")
_EVERY = gettext_noop("every version (ANY)")
_RUNS_ON_DEVICE = gettext_noop("runs on %(criterion)s: the device")
_RUNS_ON_UNKNOWN_HARDWARE = gettext_noop(
    "runs on %(criterion)s: hardware version %(version)s not known for the device"
)
_CRITERION = gettext_noop("%(criterion)s: %(reason)s")
_RUNS_ON_UNKNOWN = gettext_noop("runs on %(criterion)s: not known for the device")

# A reason noted while evaluating: (msgid, the criterion). Plain tuples: most are never read; a
# criterion's own reason is found again from its version when the text is made.
_Note = tuple[str, CPEMatch]


def _note_text(note: _Note, version: str) -> tuple[tuple[Any, ...], Text]:
    """The text of a reason noted, with a key of plain values equal exactly when two such
    texts are (hashed without walking the text's tree)."""
    msgid, match = note
    if msgid == _CRITERION:
        _decided, reason, values = _criterion_version(match, version)
        criterion = match.describe()
        return (msgid, criterion, reason, values), Text(
            _CRITERION, (("criterion", criterion), ("reason", Text(reason, values)))
        )
    if msgid == _RUNS_ON_UNKNOWN_HARDWARE:
        named, fixed = match.criteria_text, match.criteria.version
        return (msgid, named, fixed), Text(msgid, (("criterion", named), ("version", fixed)))
    return (msgid, match.criteria_text), Text(msgid, (("criterion", match.criteria_text),))


class _Evaluator:
    """Evaluates configurations for one device variant, as the rules read (the naive scan of
    the bench uses it; :class:`_NvdIndex` evaluates the same rules on compiled criteria)."""

    __slots__ = ("aliases", "device", "keys", "notes")

    def __init__(
        self,
        device: _Device,
        aliases: Aliases,
        keys: dict[tuple[str, str], tuple[str, str]],
    ) -> None:
        self.device, self.aliases, self.keys = device, aliases, keys
        self.notes: list[_Note] = []

    def _names_device(self, criteria: CPE) -> bool:
        pair = (criteria.vendor, criteria.product)
        key = self.keys.get(pair)
        if key is None:
            key = self.keys[pair] = (
                self.aliases.canonical(product_key(criteria.vendor)),
                cpe_product_key(criteria.product),
            )
        return key[1] == self.device.product and key[0] in self.device.vendors

    def match(self, match: CPEMatch) -> bool | None:
        device = self.device
        if self._names_device(match.criteria):
            if device.cpe is not None and not cpe_matches(match.criteria, device.cpe, skip=_NAMED):
                # The device's CPE says another update, edition, language or target platform.
                return False if match.vulnerable else None
            if not match.vulnerable and match.criteria.version not in (ANY, NA):
                # The device's own hardware, of a given revision (often a model number the
                # inventory's version field does not hold).
                if same_version(device.version, match.criteria.version):
                    self.notes.append((_RUNS_ON_DEVICE, match))
                    return True
                self.notes.append((_RUNS_ON_UNKNOWN_HARDWARE, match))
                return None
            decided, _reason, _values = _criterion_version(match, device.version)
            self.notes.append((_CRITERION, match))
            return decided
        if match.vulnerable:
            return False
        # A running-on platform the device is not known to be.
        self.notes.append((_RUNS_ON_UNKNOWN, match))
        return None

    def node(self, node: Node) -> bool | None:
        results = [self.match(m) for m in node.matches]
        if node.children:
            results += [self.node(child) for child in node.children]
        value: bool | None
        if node.operator == "AND":
            value = False if False in results else None if None in results else bool(results)
        else:
            value = True if True in results else None if None in results else False
        if node.negate and value is not None:
            value = not value
        return value

    def record(self, record: CveRecord) -> tuple[bool | None, list[_Note]] | None:
        """The record's decision for the device and the reasons of the configuration that gave
        it (None: unrelated)."""
        best: tuple[bool | None, list[_Note]] | None = None
        for configuration in record.configurations:
            self.notes = []
            results = [self.node(n) for n in configuration.nodes]
            if configuration.operator == "AND":
                value = False if False in results else None if None in results else bool(results)
            else:
                value = True if True in results else None if None in results else False
            if value is True:
                return True, self.notes
            if value is None and best is None:
                best = (None, self.notes)
        return best


_NAMED = ("part", "vendor", "product", "version")
_NVD_WHY = gettext_noop("NVD %(cve)s: %(reasons)s")


# The texts of the reasons already made, by (msgid, criterion, device version): verdicts of
# devices of the same version share them. Keyed by the criterion's id, the criterion kept in the
# value (its id cannot be reused while the entry lives); one table per index.
_Reasons = dict[tuple[str, int, str], tuple[CPEMatch, tuple[Any, ...], Text]]


def _nvd_why(
    cve: str, version: str, notes: Sequence[_Note], made: _Reasons | None = None
) -> Text | str:
    """The explanation of a record's verdict from the reasons noted (made when read)."""
    # The same text twice (a criterion noted in two nodes, or two equal criteria) once.
    reasons: dict[tuple[Any, ...], Text] = {}
    for note in notes:
        if made is None:
            key, reason = _note_text(note, version)
        else:
            known = made.get((note[0], id(note[1]), version))
            if known is None:
                key, reason = _note_text(note, version)
                made[(note[0], id(note[1]), version)] = (note[1], key, reason)
            else:
                key, reason = known[1], known[2]
        reasons.setdefault(key, reason)
    return clauses(
        Text(_NVD_WHY, (("cve", cve), ("reasons", tuple(reasons.values())))),
        _rule(version) if version else None,
    )


def _nvd_found(
    item: InventoryItem,
    cve: str,
    version: str,
    found: tuple[bool | None, list[_Note]] | None,
    made: _Reasons | None = None,
) -> list[Verdict]:
    if found is None:
        return []
    decided, notes = found
    return [
        explained(
            Deferred(_nvd_why, cve, version, notes, made),
            device=item.id,
            advisory=cve,
            cve=cve,
            product_id="",
            status="known_affected" if decided else "needs_review",
            source="nvd",
        )
    ]


def _nvd_verdicts(
    item: InventoryItem, device: _Device, record: CveRecord, aliases: Aliases
) -> list[Verdict]:
    """The verdict of one record for one device variant."""
    return _nvd_verdict(item, _Evaluator(device, aliases, {}), record)


def _nvd_verdict(item: InventoryItem, evaluator: _Evaluator, record: CveRecord) -> list[Verdict]:
    version = evaluator.device.version
    return _nvd_found(item, record.cve, version, evaluator.record(record))


# --- the index's evaluation (decision 0045) ----------------------------------------------------
#
# The index evaluates the same rules as :class:`_Evaluator`, written for speed: the device's
# version parsed once, the criteria's versions parsed through the shared cache of
# :func:`parse_version`, the (vendor, product) key of every criterion computed when the index is
# built, and only the decision computed (a kept verdict's reasons are found again from the
# criteria when its text is made).


def _plain(version: str) -> str:
    """What :func:`same_version` compares when a side is not a version."""
    return " ".join(version.split()).casefold()


class _Probe:
    """A device variant as the index's evaluation reads it."""

    __slots__ = ("cpe", "mine", "pairs", "plain", "product", "vendors", "version")

    def __init__(self, device: _Device, pairs: Mapping[tuple[str, str], tuple[str, str]]) -> None:
        self.vendors, self.product, self.cpe = device.vendors, device.product, device.cpe
        self.version = device.version
        self.mine = parse_version(device.version)
        self.plain = _plain(device.version)
        self.pairs = pairs


def _same(probe: _Probe, version: str) -> bool:
    """``same_version(probe.version, version)``, the probe's side parsed once."""
    mine, theirs = probe.mine, parse_version(version)
    if mine is None or theirs is None:
        return probe.plain == _plain(version)
    if mine.wildcard or theirs.wildcard:
        return compare(mine, theirs) == 0
    return mine.tokens == theirs.tokens


def _holds(mine: Version, bound: str, op: int) -> bool | None:
    theirs = parse_version(bound)
    order = compare(mine, theirs) if theirs is not None else None
    if order is None:
        return None
    return order >= 0 if op == 0 else order > 0 if op == 1 else order <= 0 if op == 2 else order < 0


def _in_range(match: CPEMatch, probe: _Probe) -> bool | None:
    """``_criterion_version``'s decision for a criterion of any version (ANY) and bounds."""
    starts, start, ends, end = (
        match.start_including,
        match.start_excluding,
        match.end_including,
        match.end_excluding,
    )
    if not (starts or start or ends or end):
        return True
    mine = probe.mine
    if mine is None:  # no version, or one that is not a version
        return None
    for op, bound in ((0, starts), (1, start), (2, ends), (3, end)):
        if bound:
            holds = _holds(mine, bound, op)
            if not holds:
                return holds
    return True


def _rest_any(criteria: CPE) -> bool:
    """Whether the criterion leaves every attribute after the version open."""
    return (
        criteria.update == ANY
        and criteria.edition == ANY
        and criteria.language == ANY
        and criteria.sw_edition == ANY
        and criteria.target_sw == ANY
        and criteria.target_hw == ANY
        and criteria.other == ANY
    )


def _criterion(match: CPEMatch, probe: _Probe, notes: list[_Note]) -> bool | None:
    """:meth:`_Evaluator.match` (``_criterion_version``'s decision inlined: the hot path)."""
    criteria = match.criteria
    key = probe.pairs[(criteria.vendor, criteria.product)]
    if key[1] != probe.product or key[0] not in probe.vendors:
        if match.vulnerable:
            return False
        # A running-on platform the device is not known to be.
        notes.append((_RUNS_ON_UNKNOWN, match))
        return None
    if (
        probe.cpe is not None
        and not _rest_any(criteria)
        and not cpe_matches(criteria, probe.cpe, skip=_NAMED)
    ):
        return False if match.vulnerable else None
    fixed = criteria.version
    if fixed == ANY:
        notes.append((_CRITERION, match))
        return _in_range(match, probe)
    if fixed == NA:
        notes.append((_CRITERION, match))
        return True
    if not match.vulnerable:
        # The device's own hardware, of a given revision.
        if _same(probe, fixed):
            notes.append((_RUNS_ON_DEVICE, match))
            return True
        notes.append((_RUNS_ON_UNKNOWN_HARDWARE, match))
        return None
    notes.append((_CRITERION, match))
    if not probe.version:
        return None
    mine, theirs = probe.mine, parse_version(fixed)
    if mine is None:
        return True if probe.plain == _plain(fixed) else None
    if theirs is None:
        return probe.plain == _plain(fixed)
    if mine.wildcard or theirs.wildcard:
        return compare(mine, theirs) == 0
    return mine.tokens == theirs.tokens


def _node(node: Node, probe: _Probe, notes: list[_Note]) -> bool | None:
    """:meth:`_Evaluator.node`."""
    results = [_criterion(m, probe, notes) for m in node.matches]
    if node.children:
        results += [_node(child, probe, notes) for child in node.children]
    value: bool | None
    if node.operator == "AND":
        value = False if False in results else None if None in results else bool(results)
    else:
        value = True if True in results else None if None in results else False
    if node.negate and value is not None:
        value = not value
    return value


def _evaluate(record: CveRecord, probe: _Probe) -> tuple[bool | None, list[_Note]] | None:
    """:meth:`_Evaluator.record`."""
    best: tuple[bool | None, list[_Note]] | None = None
    for configuration in record.configurations:
        notes: list[_Note] = []
        results = [_node(n, probe, notes) for n in configuration.nodes]
        if configuration.operator == "AND":
            value = False if False in results else None if None in results else bool(results)
        else:
            value = True if True in results else None if None in results else False
        if value is True:
            return True, notes
        if value is None and best is None:
            best = (None, notes)
    return best


_Gate = tuple[tuple[Token, ...], ...] | None


def _gate(record: CveRecord) -> tuple[tuple[Token, ...], ...] | None:
    """The versions (as tokens) a device must have for the record to concern it, when its
    configurations say so; ``None`` when they do not (the record is then always evaluated).

    A configuration is decided False whenever a *gate* node is: a node the configuration needs
    (an AND configuration's node, or its only node), neither negated nor nested, of vulnerable
    criteria with exact versions only. Such a node is False for a device whose version (parsed,
    not a wildcard) is none of them: each criterion is then False, whatever it names. A record
    whose configurations all have a gate cannot concern a device of another version (the same
    decision as evaluating it, found with one look-up)."""
    found: list[tuple[Token, ...]] = []
    for configuration in record.configurations:
        nodes = configuration.nodes
        if not nodes or (configuration.operator != "AND" and len(nodes) != 1):
            return None
        gate: list[tuple[Token, ...]] | None = None
        for node in nodes:
            if node.negate or node.children or not node.matches:
                continue
            if node.operator == "AND" and len(node.matches) != 1:
                continue
            tokens: list[tuple[Token, ...]] = []
            for m in node.matches:
                version = m.criteria.version
                parsed = parse_version(version) if version not in (ANY, NA) else None
                if not m.vulnerable or parsed is None or parsed.wildcard:
                    break
                tokens.append(parsed.tokens)
            else:
                gate = tokens
                break
        if gate is None:
            return None
        found.extend(gate)
    return tuple(dict.fromkeys(found))


class _NvdIndex:
    """Records by the (vendor, product) keys of their vulnerable criteria, each with its gate
    (the versions that it can concern, when its configurations say so: :func:`_gate`)."""

    def __init__(self, records: Iterable[CveRecord], aliases: Aliases) -> None:
        by_key: dict[tuple[str, str], list[tuple[CveRecord, _Gate]]] = defaultdict(list)
        # The key of every criterion's (vendor, product), running-on platforms too: a full NVD
        # set repeats them a lot, and the evaluation reads them from here.
        pairs: dict[tuple[str, str], tuple[str, str]] = {}
        self.size = 0  # records indexed
        for record in records:
            self.size += 1
            keys: set[tuple[str, str]] = set()
            stack = [n for c in record.configurations for n in c.nodes]
            while stack:
                node = stack.pop()
                if node.children:
                    stack.extend(node.children)
                for m in node.matches:
                    pair = (m.criteria.vendor, m.criteria.product)
                    key = pairs.get(pair)
                    if key is None:
                        key = pairs[pair] = (
                            aliases.canonical(product_key(pair[0])),
                            cpe_product_key(pair[1]),
                        )
                    if m.vulnerable:
                        keys.add(key)
            if keys:
                entry = (record, _gate(record))
                for key in keys:
                    by_key[key].append(entry)
        self.by_key: dict[tuple[str, str], tuple[tuple[CveRecord, _Gate], ...]] = {
            key: tuple(found) for key, found in by_key.items()
        }
        self.pairs = pairs


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


class MatchIndex:
    """CSAF products and NVD criteria indexed for lookup, with the alias table: built once (when
    the feeds are imported) and given to :func:`match` for every inventory matched against
    them. Read-only once built."""

    def __init__(
        self,
        advisories: Iterable[Advisory] = (),
        cves: Iterable[CveRecord] = (),
        aliases: Mapping[str, str] | None = None,
    ) -> None:
        self.aliases = Aliases(aliases)
        self._reasons: _Reasons = {}
        with collector_paused():
            self.csaf = _CsafIndex(advisories, self.aliases)
            self.nvd = _NvdIndex(cves, self.aliases)
        # The parsed records and the index (millions of objects at a full NVD set) are kept out
        # of later full collections: without this, the first full collection after the build
        # walked them all (15-18 s CPU at 250,000 records), paid by whatever ran next (rendering
        # the verdicts' explanations). The index holds no reference cycle. A small index is not
        # worth a full collection of the whole process.
        settle_if_large(self.csaf.size + self.nvd.size)

    def match(self, items: Iterable[InventoryItem]) -> list[Verdict]:
        # Verdicts and their texts hold no reference cycles: the cyclic collector, which would
        # otherwise walk the whole index again and again as they are made, waits until done.
        with collector_paused():
            verdicts = self._match(items)
            # Many verdicts (each with its deferred explanation) are then read, rendered and
            # stored by code that allocates: out of the collector's walks, they no longer make
            # rendering every *why* grow faster than their number (15 s CPU for 83,165).
            freeze_if_large(len(verdicts))
        return verdicts

    def _match(self, items: Iterable[InventoryItem]) -> list[Verdict]:
        # Devices of the same manufacturer, model, version and identifiers (a hospital's
        # hundreds of identical pumps) get the same verdicts: found once, given to each.
        found: dict[tuple[str, str, str, str, str], list[Verdict]] = {}
        verdicts: list[Verdict] = []
        for item in items:
            signature = (item.manufacturer, item.model, item.version, item.cpe, item.purl)
            same = found.get(signature)
            if same is None:
                found[signature] = same = self._item(item)
                verdicts.extend(same)
            else:
                verdicts.extend(_for_device(verdict, item.id) for verdict in same)
        return verdicts

    def _item(self, item: InventoryItem) -> list[Verdict]:
        """The verdicts of one inventory item."""
        table, nvd = self.aliases, self.nvd
        by_key = nvd.by_key
        verdicts: list[Verdict] = []
        for entry in self.csaf.lookup(item, table):
            verdicts.extend(_csaf_verdicts(item, entry))
        if not by_key:
            return verdicts
        seen: set[str] = set()
        for device in _device(item, table):
            probe: _Probe | None = None
            # A record whose gate does not hold the device's version cannot concern it.
            version = parse_version(device.version)
            tokens = version.tokens if version is not None and not version.wildcard else None
            for vendor in device.vendors:
                for record, gate in by_key.get((vendor, device.product), ()):
                    if tokens is not None and gate is not None and tokens not in gate:
                        continue
                    if record.cve in seen:
                        continue
                    if probe is None:
                        probe = _Probe(device, nvd.pairs)
                    decided = _evaluate(record, probe)
                    if decided is not None:
                        seen.add(record.cve)
                        verdicts.extend(
                            _nvd_found(item, record.cve, device.version, decided, self._reasons)
                        )
        return verdicts


def _for_device(verdict: Verdict, device: str) -> Verdict:
    """The same verdict for another device (its explanation, made or not, is shared)."""
    return Verdict(
        device,
        verdict.advisory,
        verdict.cve,
        verdict.product_id,
        verdict.status,
        verdict.__dict__["_explanation"],
        verdict.remediation,
        verdict.source,
    )


def match(
    items: Iterable[InventoryItem],
    advisories: Iterable[Advisory] = (),
    cves: Iterable[CveRecord] = (),
    aliases: Mapping[str, str] | None = None,
    *,
    index: MatchIndex | None = None,
) -> list[Verdict]:
    """Every verdict relating an inventory item to an advisory's product or an NVD record.

    With ``index`` (built once by :class:`MatchIndex` from the advisories, records and aliases),
    ``advisories``, ``cves`` and ``aliases`` are not read: nothing is indexed again."""
    if index is None:
        index = MatchIndex(advisories, cves, aliases)
    return index.match(items)


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
