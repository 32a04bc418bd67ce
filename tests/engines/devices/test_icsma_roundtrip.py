"""THE acceptance test of the matching engine: for an inventory built from each CISA ICSMA
advisory's product tree (../shared/data/csaf/icsma), ``match`` returns exactly the statuses the
tree states.

The inventory is derived here from the CSAF specification, independently of the engine:
one item per product (manufacturer = its vendor branch, model = its product_name branch);
a ``product_version`` gives its version as is (each alternative of an "A | B" list); a
``product_version_range`` made of comparators (``vers:`` or legacy ``<=``, ``<``, ``>=``, ``>``,
``=``) gives a version inside (an inclusive bound, or the bound's last number moved by one) and,
when one can be written, a version outside (past the highest upper bound or before the lowest
lower bound). A range this reading cannot use (dates, prose) must come back ``needs_review``
for a device of any version; ``vers:all/*`` must match any version and has no outside.

Expected for an item derived from product P: exactly one verdict per vulnerability listing P,
with P's status (known_affected ← first/known/last_affected, fixed ← fixed/first_fixed/
recommended, known_not_affected, under_investigation); for an outside version, no verdict for P.
Verdicts for other products of the same vendor and product name are allowed (a device of that
version may also be one of them) but are checked to be such products.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from hygie.devices.engine import InventoryItem, match, parse_csaf
from tests.shared_data import SHARED_DATA, shared_data

STATUS = {
    "known_affected": "known_affected",
    "first_affected": "known_affected",
    "last_affected": "known_affected",
    "fixed": "fixed",
    "first_fixed": "fixed",
    "recommended": "fixed",
    "known_not_affected": "known_not_affected",
    "under_investigation": "under_investigation",
}
# A concrete version: words with a digit each, or known qualifier words ("Service Pack").
_WORD = re.compile(r"^[vV]?[0-9A-Za-z]+(?:[.\-_()][0-9A-Za-z()]+)*$")
_QUALIFIERS = {"sp", "service", "pack", "build", "sr", "rev", "update", "patch"}
_COMPARATOR = re.compile(r"^\s*(<=|>=|<|>|==|=)?\s*(.*?)\s*$")


def concrete(text: str) -> bool:
    words = text.split()
    if not words or any(not _WORD.match(w) for w in words):
        return False
    if len(words) == 1:
        return True
    return all(any(c.isdigit() for c in w) or w.casefold() in _QUALIFIERS for w in words)


def _move(version: str, step: int) -> str | None:
    """The version with its last run of digits moved by ``step`` (zero padding kept)."""
    runs = list(re.finditer(r"\d+", version))
    if not runs:
        return None
    last = runs[-1]
    value = int(last.group()) + step
    if value < 0:
        return None
    digits = str(value).rjust(len(last.group()), "0")
    return version[: last.start()] + digits + version[last.end() :]


def _unwild(version: str) -> tuple[str, bool]:
    stripped = re.sub(r"(?:\.[xX*])+$", "", version)
    return stripped, stripped != version


@dataclass
class Case:
    product_id: str
    vendor: str
    product: str
    version: str
    inside: bool
    review: bool = False


def constraints(text: str) -> list[tuple[str, str]] | None:
    """(operator, version) of a comparator range, None when it is not one."""
    body = text.strip()
    if body.startswith("vers:"):
        scheme, _slash, body = body[5:].partition("/")
        if body.strip() == "*":
            return []
    found: list[tuple[str, str]] = []
    for part in body.split("|"):
        matched = _COMPARATOR.match(part)
        assert matched is not None
        op, value = matched.group(1) or "=", matched.group(2)
        if not concrete(value):
            return None
        found.append(("=" if op == "==" else op, value))
    return found


def range_cases(product_id: str, vendor: str, product: str, text: str) -> list[Case]:
    parsed = constraints(text)
    if parsed is None:
        return [Case(product_id, vendor, product, "1.0", True, review=True)]
    if not parsed:  # vers:all/*
        return [Case(product_id, vendor, product, "1.0", True)]
    cases: list[Case] = []
    uppers = [(op, v) for op, v in parsed if op in ("<", "<=")]
    lowers = [(op, v) for op, v in parsed if op in (">", ">=")]
    for op, value in parsed:
        base, wild = _unwild(value)
        inside: str | None
        if op in ("=", "<=", ">="):
            inside = base + (".0" if wild else "")
        elif op == "<":
            inside = None if wild else _move(base, -1)
        else:
            inside = _move(base, 1) + (".0" if wild else "") if _move(base, 1) else None
        if inside:
            cases.append(Case(product_id, vendor, product, inside, True))
    if uppers and all(op != "=" for op, _v in parsed) and (not lowers or parsed[-1][0] in "<"):
        op, value = uppers[-1]
        base, wild = _unwild(value)
        outside = (base + ".0" if wild else value) if op == "<" else _move(base, 1)
        if outside and wild and op == "<=":
            outside += ".0"
        if outside:
            cases.append(Case(product_id, vendor, product, outside, False))
    elif lowers and not uppers:
        op, value = lowers[0]
        base, wild = _unwild(value)
        outside = value if op == ">" else _move(base, -1)
        if outside and not wild:
            cases.append(Case(product_id, vendor, product, outside, False))
    return cases


def tree_cases(document: dict) -> list[Case]:
    cases: list[Case] = []

    def walk(branches: list, found: dict[str, str]) -> None:
        for branch in branches:
            here = {**found, branch["category"]: branch["name"]}
            product = branch.get("product")
            if product:
                pid = product["product_id"]
                vendor, name = here.get("vendor", ""), here.get("product_name", "")
                if "product_version" in here:
                    text = here["product_version"]
                    if text.strip() == "vers:all/*":
                        cases.append(Case(pid, vendor, name, "1.0", True))
                    elif "|" in text and all(concrete(p) for p in text.split("|")):
                        cases.extend(
                            Case(pid, vendor, name, p.strip(), True) for p in text.split("|")
                        )
                    else:
                        # As written: the device's version is the advisory's text.
                        cases.append(Case(pid, vendor, name, text, True))
                elif "product_version_range" in here:
                    cases.extend(range_cases(pid, vendor, name, here["product_version_range"]))
            walk(branch.get("branches", []), here)

    walk(document.get("product_tree", {}).get("branches", []), {})
    return cases


def expected(document: dict, product_id: str) -> Counter[tuple[str, str]]:
    found: Counter[tuple[str, str]] = Counter()
    for vulnerability in document.get("vulnerabilities", []):
        statuses = {
            STATUS[key]
            for key, ids in vulnerability.get("product_status", {}).items()
            if key in STATUS and product_id in ids
        }
        for status in statuses:
            found[(vulnerability.get("cve", ""), status)] += 1
    return found


def advisories() -> list[Path]:
    """The advisories (a placeholder when the data set is absent: the test then skips, or
    fails under CI, through ``shared_data``)."""
    found = sorted(SHARED_DATA.joinpath("csaf", "icsma").glob("*.json"))
    return found or [SHARED_DATA / "csaf" / "icsma" / "absent.json"]


FIGURES: Counter[str] = Counter()


@pytest.mark.parametrize("path", advisories(), ids=lambda p: p.stem)
def test_match_returns_the_statuses_the_tree_states(path: Path) -> None:
    shared_data("csaf", "icsma", path.name)
    document = json.loads(path.read_text(encoding="utf-8"))
    advisory = parse_csaf(document, path.name)
    cases = tree_cases(document)
    assert cases, "every ICSMA advisory has products"
    items = [
        InventoryItem(f"{n}", case.vendor, case.product, case.version)
        for n, case in enumerate(cases)
    ]
    verdicts = match(items, [advisory])
    by_device: dict[str, list] = {}
    for verdict in verdicts:
        by_device.setdefault(verdict.device, []).append(verdict)
    problems = []
    for n, case in enumerate(cases):
        mine = [v for v in by_device.get(str(n), []) if v.product_id == case.product_id]
        got = Counter((v.cve, v.status) for v in mine)
        want = expected(document, case.product_id)
        if case.review:
            want = Counter({(cve, "needs_review"): k for (cve, _status), k in want.items()})
        if not case.inside:
            want = Counter()
        if got != want:
            problems.append(
                f"{case.product_id} {case.vendor!r}/{case.product!r} version {case.version!r} "
                f"({'inside' if case.inside else 'outside'}): {dict(got)} != {dict(want)}"
                + "".join(f"\n    {v.why}" for v in mine)
            )
        for other in by_device.get(str(n), []):
            product = advisory.products[other.product_id]
            assert (product.vendor, product.product_name) == (case.vendor, case.product)
        FIGURES["items"] += 1
        FIGURES["outside items"] += not case.inside
        FIGURES["review ranges"] += case.review
        for v in mine:
            FIGURES[f"verdicts {v.status}"] += 1
    assert problems == []


def test_figures_are_reported(capsys: pytest.CaptureFixture[str]) -> None:
    """Prints the run's figures (verdict counts, ranges needing review) for the closing note;
    meaningful after the parametrised test above ran in the same session."""
    if not FIGURES:
        pytest.skip("run with the round-trip test to get the figures")
    with capsys.disabled():
        print("\nICSMA round trip:", dict(sorted(FIGURES.items())))
    assert FIGURES["items"] > 0
