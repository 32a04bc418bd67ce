"""``PHIDetector``: turns an extracted document into scored, masked findings.

Order of work: one multi-pattern scan over the whole text, Python validators on the (few) hits,
context scoring, structural findings from extractor hints, optional NER, then overlap resolution
(highest confidence wins, longer span on ties).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hygie.privacy.engine import validators as v
from hygie.privacy.engine.document import ExtractedDocument, LineIndex, Segment, SegmentIndex
from hygie.privacy.engine.fields import entity_categories
from hygie.privacy.engine.given_names import GIVEN_NAMES
from hygie.privacy.engine.masking import KeyedHasher, mask_value
from hygie.privacy.engine.matcher import Matcher, build_matcher, python_regex
from hygie.privacy.engine.model import Backend, ColumnVerdict, Finding, FindingLocation, ScanConfig
from hygie.privacy.engine.model import EntityType as E
from hygie.privacy.engine.ner import NERFunction, load_ner
from hygie.privacy.engine.patterns import (
    CONTEXT_WORDS,
    LIST_NAME_DETECTORS,
    NEGATIVE_WORDS,
    NUMERIC_ENTITIES,
    PATTERNS,
    PatternSpec,
)
from hygie.privacy.engine.validators import Verdict

INS_OID_PREFIX = "1.2.250.1.213.1.4."
_CONTEXT_BOOST = 0.2
_NEGATIVE_PENALTY = 0.25
_CONTEXT_ONLY_FAILED = 0.3  # checksum failure kept only because context words back it
_DECLARED_CONFIDENCE = 0.6  # a value in a field the field maps declare PHI, whatever its form
_NULL_VALUES = frozenset({"", "null", "none", "unk", "unknown", "n/a", "na", "-", '""', "nan"})


@dataclass(slots=True)
class Candidate:
    entity: E
    detector: str
    start: int
    end: int
    confidence: float
    is_validated: bool
    segment: Segment | None


def _word_regex(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(word.strip()) for word in words)
    return re.compile(rf"(?<![^\W\d_])(?:{alternatives})(?![^\W\d_])", re.IGNORECASE)


class PHIDetector:
    """Detects PHI in extracted documents. Build once per process; it compiles the patterns."""

    def __init__(self, config: ScanConfig) -> None:
        self.config = config
        self._specs: tuple[PatternSpec, ...] = PATTERNS
        self._matcher: Matcher = build_matcher(self._specs, config.backend)
        self._python = [python_regex(s) if "(?P<v>" in s.regex else None for s in self._specs]
        self._context = {entity: _word_regex(words) for entity, words in CONTEXT_WORDS.items()}
        self._negative = _word_regex(NEGATIVE_WORDS)
        self._hash = KeyedHasher(config.hmac_key)
        self._default_categories = entity_categories()
        self._ner: NERFunction | None = load_ner(config.ner_model) if config.ner_model else None

    @property
    def backend(self) -> Backend:
        return self._matcher.backend

    @property
    def has_ner(self) -> bool:
        return self._ner is not None

    # -- public ----------------------------------------------------------------------------
    def detect(self, doc: ExtractedDocument, member: str = "") -> list[Finding]:
        """Every finding in ``doc`` at or above the configured confidence, in text order."""
        if not self.config.field_semantics:
            doc = doc.without_field_semantics()
        segments = SegmentIndex(doc.segments)
        candidates = self._pattern_candidates(doc, segments)
        candidates += self._structural_candidates(doc, candidates)
        if self._ner is not None and doc.free_text:
            candidates += [
                Candidate(E.PERSON, "ner", s, e, 0.7, False, segments.containing(s, e))
                for s, e in self._ner(doc.text, doc.prose)
                if _plausible_ner_name(doc.text, s, e)
            ]
        kept = [
            c
            for c in _resolve_overlaps(candidates)
            if c.confidence >= self.config.min_confidence and self.config.wants(c.entity)
        ]
        return self._to_findings(doc, kept, member)

    def column_verdicts(
        self, doc: ExtractedDocument, findings: list[Finding], member: str = ""
    ) -> list[ColumnVerdict]:
        """Per table column, each entity type found and in how many rows."""
        counts = Counter((f.table_column, f.entity) for f in findings if f.table_column)
        verdicts = []
        for (column, entity), rows in sorted(counts.items(), key=lambda item: str(item[0])):
            table = str(column).split("!", 1)[0] if "!" in str(column) else ""
            total = doc.total_rows.get(table, 0)
            verdicts.append(ColumnVerdict(member, str(column), entity, rows, max(total, rows)))
        return verdicts

    # -- patterns --------------------------------------------------------------------------
    def _pattern_candidates(
        self, doc: ExtractedDocument, segments: SegmentIndex
    ) -> list[Candidate]:
        text = doc.text
        hits = self._matcher.scan(text)
        specs = self._specs
        ins_markers = sorted(s for i, s, _ in hits if specs[i].entity is None)
        separators = doc.separators
        opaque_starts = [start for start, _ in doc.opaque]
        # Plain text has no segments: skip the lookup (this loop runs once per pattern hit).
        containing = segments.containing if doc.segments else None
        value_patterns = self._python
        out: list[Candidate] = []
        for index, start, end in hits:
            spec = specs[index]
            if spec.entity is None:
                continue
            pattern = value_patterns[index]
            if pattern is not None:
                match = pattern.fullmatch(text, start, end)
                if match is None:  # the regex engines disagree on an edge case: skip, not guess
                    continue
                start, end = match.span("v")
            span = (start, end)
            segment = containing(start, end) if containing is not None else None
            if segment is None and doc.hits_need_segment:
                continue
            if separators and any(char in separators for char in text[start:end]):
                continue
            if opaque_starts and _inside(doc.opaque, opaque_starts, span):
                continue
            if spec.entity in NUMERIC_ENTITIES and _in_dotted_number(text, span):
                continue  # a slice of an OID or a version number
            if (
                separators
                and segment is None
                and spec.detector in LIST_NAME_DETECTORS
                and not _in_prose(text, span, separators)
            ):
                continue  # "St. Francis Community Hospital" in a coded HL7 field
            candidate = self._score(spec, text, span, segment, ins_markers)
            if candidate is not None:
                out.append(candidate)
        return out

    def _has_context(self, entity: E, text: str, start: int, segment: Segment | None) -> bool:
        if segment is not None and segment.hint is entity:
            return True
        words = self._context.get(entity)
        if words is None:
            return False
        window = text[max(0, start - self.config.context_window) : start]
        if words.search(window):
            return True
        return segment is not None and bool(segment.context) and bool(words.search(segment.context))

    def _score(
        self,
        spec: PatternSpec,
        text: str,
        span: tuple[int, int],
        segment: Segment | None,
        ins_markers: list[int],
    ) -> Candidate | None:
        assert spec.entity is not None
        verdict, start, end = spec.check(text, *span)
        if verdict is Verdict.REJECTED or start >= end:
            return None
        entity = spec.entity
        if entity is E.PERSON and segment is not None and segment.hint not in (None, E.PERSON):
            return None  # a name-like city or street in an address field is not a person
        has_context = self._has_context(entity, text, start, segment)
        if spec.needs_context and not has_context:
            return None
        if verdict is Verdict.VALID:
            confidence = spec.valid_confidence + (_CONTEXT_BOOST if has_context else 0.0)
        elif spec.failed_confidence is not None:
            confidence = spec.failed_confidence
        elif has_context:
            confidence = _CONTEXT_ONLY_FAILED
        else:
            return None
        if entity in NUMERIC_ENTITIES:
            window = text[max(0, start - self.config.context_window) : start]
            if self._negative.search(window):
                confidence -= _NEGATIVE_PENALTY
        detector = spec.detector
        if (
            entity is E.FR_NIR
            and verdict is Verdict.VALID
            and self._near_ins_oid(start, end, segment, ins_markers)
        ):
            entity, detector, confidence = E.FR_INS, "fr_ins", 0.99
        # "validated" means a real check ran (key, range, calendar), not only the regex shape.
        is_validated = verdict is Verdict.VALID and spec.validates
        return Candidate(entity, detector, start, end, min(confidence, 0.99), is_validated, segment)

    def _near_ins_oid(
        self, start: int, end: int, segment: Segment | None, markers: list[int]
    ) -> bool:
        if segment is not None and INS_OID_PREFIX in segment.context:
            return True
        reach = 4 * self.config.context_window
        index = bisect.bisect_left(markers, start - reach)
        return index < len(markers) and markers[index] <= end + reach

    # -- structure -------------------------------------------------------------------------
    def _structural_candidates(
        self, doc: ExtractedDocument, found: list[Candidate]
    ) -> list[Candidate]:
        """Values the structure names (PID-5, FHIR birthDate, a "nom" column) become findings."""
        covered = {(id(c.segment), c.entity) for c in found if c.segment is not None}
        # A checked pattern hit (an RPPS key, an NPI's Luhn digit) tells more than a generic
        # identifier field (XCN-1, MRN): no structural duplicate over it.
        checked = {id(c.segment) for c in found if c.segment is not None and c.is_validated}
        out: list[Candidate] = []
        for segment in doc.segments:
            if segment.hint is None or (id(segment), segment.hint) in covered:
                continue
            if segment.hint is E.MRN and id(segment) in checked:
                continue
            raw = doc.text[segment.start : segment.end]
            stripped = raw.strip()
            if stripped.lower() in _NULL_VALUES:
                continue
            start = segment.start + (len(raw) - len(raw.lstrip()))
            end = start + len(stripped)
            scored = _structural_score(segment.hint, stripped, segment.context)
            if scored is None and segment.declared and any(c.isalnum() for c in stripped):
                # A field map says the field holds PHI: "555" as an XTN area code, a licence
                # number, a death date written oddly are findings whatever their form.
                scored = segment.hint, _DECLARED_CONFIDENCE, False
            if scored is not None:
                entity, confidence, validated = scored
                out.append(
                    Candidate(
                        entity,
                        f"structure.{segment.hint.value.lower()}",
                        start,
                        end,
                        confidence,
                        validated,
                        segment,
                    )
                )
        return out

    # -- output ----------------------------------------------------------------------------
    def _to_findings(
        self, doc: ExtractedDocument, kept: list[Candidate], member: str
    ) -> list[Finding]:
        # Runs once per finding, hundreds of thousands of times on a large tree: locals, no
        # per-finding helper calls where the document has no structure (plain text).
        line_starts = LineIndex(doc.text).starts if doc.is_stored_text and kept else None
        text = doc.text
        locator = doc.locator
        defaults = self._default_categories
        hasher = self._hash
        findings = []
        # Names, codes and dates repeat inside a document (the same doctor on every segment):
        # mask and hash each distinct value once. Local to this call, so no state is kept.
        samples: dict[tuple[E, str], tuple[str, str]] = {}
        for c in sorted(kept, key=_start_of):
            entity, start, segment = c.entity, c.start, c.segment
            value = text[start : c.end]
            sample = samples.get((entity, value))
            if sample is None:
                sample = samples[(entity, value)] = (
                    mask_value(entity, value),
                    hasher(entity, value),
                )
            # Categories: the field map entry's when the finding is of the entity it names (an
            # e-mail in a phone field is not); otherwise, and in free text, the entity's default
            # (categories.yml).
            if segment is not None:
                path, column = segment.path, segment.column
                mapped = segment.mapped
                categories = mapped if mapped is not None and mapped.entity is entity else None
            else:
                path, column = locator.locate(start) if locator is not None else ("", None)
                categories = None
            if categories is None:
                categories = defaults[entity]
            line = col = end_col = None
            if line_starts is not None:
                index = bisect.bisect_right(line_starts, start) - 1
                line, col = index + 1, start - line_starts[index] + 1
                if "\n" not in value and "\r" not in value:
                    end_col = col + len(value)
            findings.append(
                Finding(
                    entity,
                    c.detector,
                    round(c.confidence, 2),
                    c.is_validated,
                    sample[0],
                    sample[1],
                    FindingLocation(member, path, line, col, end_col),
                    start,
                    c.end,
                    categories.hipaa,
                    categories.fr,
                    column,
                )
            )
        return findings


_PLACE_PREFIXES = ("saint ", "sainte ", "st ", "st. ", "ste ", "port ", "fort ", "mount ")


def _plausible_ner_name(text: str, start: int, end: int) -> bool:
    """Drop the small models' usual slips: a label ("Courriel :"), a capitalised word opening
    a sentence ("Mériter", "Patient") unless it is a known given name, a place ("Sainte ...")."""
    value = text[start:end]
    if text[end : end + 2].strip().startswith(":") or value.lower().startswith(_PLACE_PREFIXES):
        return False
    if any(char.isdigit() for char in value) or not value[:1].isupper():
        return False
    if " " in value.strip():
        return True
    before = text[max(0, start - 3) : start].rstrip(" \t")
    opens_sentence = not before or before[-1] in ".!?\n:;"
    return not opens_sentence or value.split("-")[0] in GIVEN_NAMES


def _inside(spans: Sequence[tuple[int, int]], starts: list[int], span: tuple[int, int]) -> bool:
    index = bisect.bisect_right(starts, span[0]) - 1
    return index >= 0 and span[1] <= spans[index][1]


def _in_dotted_number(text: str, span: tuple[int, int]) -> bool:
    start, end = span
    before = start >= 2 and text[start - 1] == "." and text[start - 2].isdigit()
    after = end + 1 < len(text) and text[end] == "." and text[end + 1].isdigit()
    return before or after


def _in_prose(text: str, span: tuple[int, int], separators: str) -> bool:
    """Whether the delimited field around ``span`` reads like a sentence: several lower-case
    words ("vu avec son fils ..."), not a title-cased name ("St. Francis Community Hospital")."""
    start, end = span
    while start > 0 and text[start - 1] not in separators:
        start -= 1
    while end < len(text) and text[end] not in separators:
        end += 1
    return sum(1 for word in text[start:end].split() if word[:1].islower()) >= 3


def _start_of(c: Candidate) -> int:
    return c.start


_StructuralRule = Callable[[str, str], "tuple[E, float, bool] | None"]


def _person_value(value: str, _context: str) -> tuple[E, float, bool] | None:
    letters = sum(1 for char in value if char.isalpha())
    if letters < 2 or len(value) > 80 or letters < len(value) // 2:
        return None
    return E.PERSON, 0.9, False


def _date_value(entity: E) -> _StructuralRule:
    def rule(value: str, _context: str) -> tuple[E, float, bool] | None:
        if v.date_verdict(value) is Verdict.VALID:
            return entity, 0.95, True
        return (entity, 0.4, False) if any(c.isdigit() for c in value) else None

    return rule


def _free_value(entity: E, confidence: float) -> _StructuralRule:
    def rule(value: str, _context: str) -> tuple[E, float, bool] | None:
        return (entity, confidence, False) if any(c.isalnum() for c in value) else None

    return rule


def _record_number(value: str, context: str) -> tuple[E, float, bool] | None:
    if not any(char.isdigit() for char in value) or len(value) > 40:
        return None
    if INS_OID_PREFIX in context and v.nir_verdict(value) is not Verdict.REJECTED:
        valid = v.nir_verdict(value) is Verdict.VALID
        return E.FR_INS, 0.99 if valid else 0.5, valid
    return E.MRN, 0.85, False


def _phone_value(value: str, _context: str) -> tuple[E, float, bool] | None:
    digits = sum(1 for char in value if char.isdigit())
    if "@" in value:
        return E.EMAIL, 0.9, False
    if digits < 7:
        return None
    compact = v.compact(value)
    french = compact.startswith(("33", "0")) and len(compact) in (10, 11)
    return (E.FR_PHONE if french else E.US_PHONE), 0.8, False


def _checked(entity: E, check: Callable[[str], Verdict]) -> _StructuralRule:
    # A patient's SSN or NIR field holds an identifier even when the number is not a valid one:
    # report it as a record number (low confidence). Practitioner ids (NPI, RPPS) are not.
    keeps_invalid = entity in (E.US_SSN, E.FR_NIR)

    def rule(value: str, _context: str) -> tuple[E, float, bool] | None:
        verdict = check(value)
        if verdict is Verdict.REJECTED:
            if keeps_invalid and _record_number(value, "") is not None:
                return E.MRN, 0.5, False
            return None
        return (entity, 0.95, True) if verdict is Verdict.VALID else (entity, 0.4, False)

    return rule


_STRUCTURAL_RULES: dict[E, _StructuralRule] = {
    E.PERSON: _person_value,
    E.DATE_OF_BIRTH: _date_value(E.DATE_OF_BIRTH),
    E.DATE: _date_value(E.DATE),
    E.ADDRESS: _free_value(E.ADDRESS, 0.85),
    E.POSTAL_CODE: _free_value(E.POSTAL_CODE, 0.7),
    E.MRN: _record_number,
    E.FR_PHONE: _phone_value,
    E.US_PHONE: _phone_value,
    E.EMAIL: lambda value, _c: (E.EMAIL, 0.9, False) if "@" in value else None,
    E.US_SSN: _checked(E.US_SSN, v.ssn_verdict),
    E.US_NPI: _checked(E.US_NPI, v.npi_verdict),
    E.FR_NIR: _checked(E.FR_NIR, v.nir_verdict),
    E.FR_RPPS: _checked(E.FR_RPPS, v.rpps_verdict),
    E.FR_INS: lambda value, context: _record_number(value, INS_OID_PREFIX + context),
}


def _structural_score(hint: E, value: str, context: str) -> tuple[E, float, bool] | None:
    rule = _STRUCTURAL_RULES.get(hint)
    return rule(value, context) if rule is not None else None


def _resolve_overlaps(candidates: list[Candidate]) -> list[Candidate]:
    """Keep the best candidate where several overlap: confidence, then length, then position.

    Candidates are first cut into clusters of chained overlaps (most are alone), so the greedy
    choice inside each cluster stays cheap on documents with tens of thousands of findings.
    """
    kept: list[Candidate] = []
    cluster: list[Candidate] = []
    cluster_end = -1
    for c in sorted(candidates, key=lambda c: c.start):
        if cluster and c.start >= cluster_end:
            kept.extend(_best_of(cluster))
            cluster = []
        cluster.append(c)
        cluster_end = max(cluster_end, c.end) if len(cluster) > 1 else c.end
    kept.extend(_best_of(cluster))
    return kept


def _best_of(cluster: list[Candidate]) -> list[Candidate]:
    if len(cluster) <= 1:
        return cluster
    chosen: list[Candidate] = []
    for c in sorted(cluster, key=lambda c: (-c.confidence, c.start - c.end, c.start)):
        if all(c.end <= k.start or k.end <= c.start for k in chosen):
            chosen.append(c)
    return chosen
