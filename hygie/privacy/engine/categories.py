"""Findings counted by category: how many per HIPAA Safe Harbor identifier and per French
category, the summary a DPO reads first. Shared by ``hygie scan``'s reports and the platform's
scan summaries; the categories and their labels are engine/fields/categories.yml."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import attrgetter

from hygie.privacy.engine.fields import CategoryLabel, category_table
from hygie.privacy.engine.model import Finding


@dataclass(frozen=True)
class CategoryRow:
    """One line of a summary by category: its code, its label, how many findings."""

    code: str
    label: CategoryLabel
    count: int


@dataclass
class CategoryCounts:
    """Counts by HIPAA identifier and by French category, added to file by file."""

    hipaa: Counter[str] = field(default_factory=Counter)
    fr: Counter[str] = field(default_factory=Counter)

    def add(self, hipaa: str, fr: str, count: int = 1) -> None:
        self.hipaa[hipaa] += count
        self.fr[fr] += count

    def add_counted(self, counted: Iterable[tuple[str, str, int]]) -> None:
        """(HIPAA identifier, French category, count) triples (``count_categories``)."""
        for hipaa, fr, count in counted:
            self.add(hipaa, fr, count)

    def as_dict(self) -> dict[str, dict[str, int]]:
        """``{"hipaa": {letter: n}, "fr": {code: n}}`` in the order of categories.yml."""
        return {
            "hipaa": {row.code: row.count for row in self.hipaa_rows()},
            "fr": {row.code: row.count for row in self.fr_rows()},
        }

    def hipaa_rows(self) -> list[CategoryRow]:
        return _rows(self.hipaa, category_table().hipaa)

    def fr_rows(self) -> list[CategoryRow]:
        return _rows(self.fr, category_table().fr)


_CATEGORIES = attrgetter("hipaa_identifier", "fr_category")


def count_categories(findings: Iterable[Finding]) -> tuple[tuple[str, str, int], ...]:
    """The findings counted by (HIPAA identifier, French category): what a worker sends back
    instead of the findings themselves."""
    counts = Counter(map(_CATEGORIES, findings))  # counted in C: once per file of a scan
    return tuple((hipaa, fr, count) for (hipaa, fr), count in sorted(counts.items()))


def _rows(counts: Counter[str], labels: dict[str, CategoryLabel]) -> list[CategoryRow]:
    # Only the categories met, in the table's order (A to R, then "none"); a code the table
    # does not know (a report from another version) is kept, after them, under its own name.
    known = [CategoryRow(code, label, counts[code]) for code, label in labels.items()]
    unknown = [
        CategoryRow(code, CategoryLabel(code, code), count)
        for code, count in sorted(counts.items())
        if code not in labels
    ]
    return [row for row in known if row.count] + [row for row in unknown if row.count]


__all__ = ["CategoryCounts", "CategoryRow", "count_categories"]
