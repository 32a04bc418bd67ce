"""CISA KEV catalogue (JSON or CSV) and FIRST EPSS scores (CSV), parsed into plain records."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from hygie.lib.errors import HygieError

MAX_FEED_CHARS = 256 * 1024 * 1024


class FeedError(HygieError, ValueError):
    """A KEV or EPSS file refused, with where."""


@dataclass(frozen=True)
class KevEntry:
    cve: str
    vendor: str
    product: str
    name: str
    date_added: str
    due_date: str
    ransomware: bool
    required_action: str = ""


@dataclass(frozen=True)
class EpssScore:
    cve: str
    epss: float
    percentile: float
    date: str = ""
    model: str = ""


def _kev(row: dict[str, object]) -> KevEntry | None:
    cve = str(row.get("cveID") or "").strip().upper()
    if not cve.startswith("CVE-"):
        return None
    return KevEntry(
        cve=cve,
        vendor=str(row.get("vendorProject") or ""),
        product=str(row.get("product") or ""),
        name=str(row.get("vulnerabilityName") or ""),
        date_added=str(row.get("dateAdded") or ""),
        due_date=str(row.get("dueDate") or ""),
        ransomware=str(row.get("knownRansomwareCampaignUse") or "").casefold() == "known",
        required_action=str(row.get("requiredAction") or ""),
    )


def parse_kev(text: str | bytes) -> dict[str, KevEntry]:
    """CVE → entry of the KEV catalogue (its JSON or its CSV)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig")
    if len(text) > MAX_FEED_CHARS:
        raise FeedError("the KEV file is too large")
    rows: list[dict[str, object]]
    if text.lstrip().startswith("{"):
        try:
            document = json.loads(text)
        except (ValueError, RecursionError) as error:
            raise FeedError(f"the KEV file is not JSON ({str(error)[:120]})") from None
        found = document.get("vulnerabilities") if isinstance(document, dict) else None
        if not isinstance(found, list):
            raise FeedError("$.vulnerabilities: the KEV catalogue lists its entries there")
        rows = [row for row in found if isinstance(row, dict)]
    else:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if not reader.fieldnames or "cveID" not in reader.fieldnames:
            raise FeedError("line 1: the KEV CSV needs a cveID column")
        try:
            rows = [dict(row) for row in reader]
        except csv.Error as error:
            raise FeedError(f"line {reader.line_num}: not valid CSV ({error})") from None
    entries: dict[str, KevEntry] = {}
    for row in rows:
        entry = _kev(row)
        if entry is not None:
            entries[entry.cve] = entry
    return entries


def parse_epss(text: str | bytes) -> dict[str, EpssScore]:
    """CVE → score of a FIRST EPSS CSV (``#model_version:…,score_date:…`` then
    ``cve,epss,percentile``)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig")
    if len(text) > MAX_FEED_CHARS:
        raise FeedError("the EPSS file is too large")
    lines = text.splitlines()
    model = date = ""
    offset = 0
    if lines and lines[0].startswith("#"):
        for part in lines[0].lstrip("#").split(","):
            key, _sep, value = part.partition(":")
            if key.strip() == "model_version":
                model = value.strip()
            elif key.strip() == "score_date":
                date = value.strip()[:10]
        lines, offset = lines[1:], 1
    reader = csv.DictReader(lines)
    if not reader.fieldnames or not {"cve", "epss", "percentile"} <= set(reader.fieldnames):
        raise FeedError(f"line {offset + 1}: the EPSS CSV needs cve, epss and percentile columns")
    scores: dict[str, EpssScore] = {}
    try:
        for row in reader:
            line = reader.line_num + offset
            cve = str(row.get("cve") or "").strip().upper()
            try:
                epss, percentile = float(row["epss"]), float(row["percentile"])
            except (TypeError, ValueError):
                raise FeedError(f"line {line}: epss and percentile must be numbers") from None
            if not (0 <= epss <= 1 and 0 <= percentile <= 1):
                raise FeedError(f"line {line}: scores lie between 0 and 1")
            if cve.startswith("CVE-"):
                scores[cve] = EpssScore(cve, epss, percentile, date, model)
    except csv.Error as error:
        raise FeedError(f"line {reader.line_num + offset}: not valid CSV ({error})") from None
    return scores
