"""Large text, CSV and HL7 inputs are scanned as a stream (issue 9, defect 5): block by block,
with memory bounded by the block, and findings identical to a whole-file scan."""

from __future__ import annotations

import codecs
import random
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hygie.privacy.engine import (
    DocumentResult,
    ExtractionError,
    PHIDetector,
    ScanConfig,
    scan_bytes,
)
from hygie.privacy.engine.stream import FindingBound, StreamScanner
from hygie.privacy.engine.validators import nir_key
from hygie.privacy.files import scan_file

from .conftest import KEY

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "privacy"
SURNAMES = ("EXEMPLE", "FICTIF", "FACTICE", "MAQUETTE")  # synthetic people only
GIVEN = ("Camille", "Louis", "Inès", "Hugo")


def _nir(rng: random.Random) -> str:
    body = (
        f"{rng.choice('12')}{rng.randint(30, 99):02d}{rng.randint(1, 12):02d}75"
        f"{rng.randint(100, 999)}{rng.randint(100, 999)}"
    )
    return body + nir_key(body)


def synthetic_csv(rows: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    lines = ["nom;prenom;nir;date_naissance;commentaire"]
    for _ in range(rows):
        comment = rng.choice(("RAS", '"vu le 12/03/2024;\nrevu"', "tel 01 23 45 67 89"))
        lines.append(
            f"{rng.choice(SURNAMES)};{rng.choice(GIVEN)};{_nir(rng)};"
            f"19{rng.randint(30, 99)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)};{comment}"
        )
    return ("\r\n".join(lines) + "\r\n").encode()


def synthetic_text(lines: int, seed: int = 2) -> bytes:
    rng = random.Random(seed)
    out = []
    for _ in range(lines):
        out.append(
            f"Vu Mme {rng.choice(GIVEN)} {rng.choice(SURNAMES)}, NIR : {_nir(rng)}, née le "
            f"0{rng.randint(1, 9)}/0{rng.randint(1, 9)}/19{rng.randint(30, 99)}. Suite du suivi."
        )
    return "\n".join(out).encode()


CORPUS = {
    "export.csv": synthetic_csv(150),
    "notes.txt": synthetic_text(120),
    "batch.hl7": (FIXTURES / "adt_a01.hl7.in").read_bytes() * 12,
    "note_fr.txt": (FIXTURES / "note_fr.txt.in").read_bytes() * 20,
}


def streamed(
    detector: PHIDetector, data: bytes, name: str, block: int, overlap: int, chunk: int
) -> DocumentResult:
    kind = {"csv": "csv", "txt": "text", "hl7": "hl7v2"}[name.rsplit(".", 1)[-1]]
    scanner = StreamScanner(detector, kind, name, block_chars=block, overlap_chars=overlap)
    kept = FindingBound(10**9)
    for start in range(0, len(data), chunk):
        kept.add(scanner.feed(data[start : start + chunk]))
    kept.add(scanner.close())
    return scanner.result(kept)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(sorted(CORPUS)),
    block=st.integers(1024, 6000),
    overlap=st.integers(0, 3000),
    chunk=st.integers(1, 5000),
)
def test_streamed_findings_equal_the_whole_file_scan(
    detector: PHIDetector, name: str, block: int, overlap: int, chunk: int
) -> None:
    data = CORPUS[name]
    whole = scan_bytes(detector, data, name)
    stream = streamed(detector, data, name, block, overlap, chunk)
    assert stream.format == whole.format
    assert stream.findings == whole.findings  # offsets, lines, columns, rows, labels, hashes
    assert stream.columns == whole.columns
    assert stream.bytes_scanned == len(data)


def test_file_above_one_block_is_streamed_and_bounded(tmp_path: Path) -> None:
    detector = PHIDetector(ScanConfig(hmac_key=KEY, stream_block_chars=2048))
    data = CORPUS["export.csv"]
    path = tmp_path / "export.csv"
    path.write_bytes(data)
    whole = scan_bytes(detector, data, "export.csv")
    seen: list[object] = []
    outcome = scan_file(detector, path, sink=seen.append, max_kept=10)
    assert outcome.result is not None
    assert outcome.result.findings == whole.findings[:10]
    assert outcome.result.findings_total == len(whole.findings) == len(seen)
    omitted = dict(outcome.result.omitted)
    assert sum(omitted.values()) == len(whole.findings) - 10
    # The findings not kept are counted by category too (the summaries by category need them).
    by_category = {(h, fr): n for h, fr, n in outcome.result.omitted_categories}
    assert sum(by_category.values()) == len(whole.findings) - 10
    expected: dict[tuple[str, str], int] = {}
    for finding in whole.findings[10:]:
        key = (finding.hipaa_identifier, finding.fr_category)
        expected[key] = expected.get(key, 0) + 1
    assert by_category == expected
    assert outcome.result.columns == whole.columns


def test_large_whole_format_file_is_skipped_with_a_clear_reason(tmp_path: Path) -> None:
    detector = PHIDetector(ScanConfig(hmac_key=KEY, max_document_bytes=1024))
    path = tmp_path / "big.json"
    path.write_text('{"a": "' + "x" * 2000 + '"}')
    outcome = scan_file(detector, path)
    assert outcome.result is None and "larger than" in outcome.reason
    path = tmp_path / "big.txt"  # text streams: no size limit
    path.write_bytes(synthetic_text(40))
    assert scan_file(detector, path).result is not None


@pytest.mark.slow
def test_stream_memory_is_bounded_by_the_block(detector: PHIDetector) -> None:
    """Traced allocations while streaming stay a fraction of what a whole-file scan needs."""
    data = synthetic_csv(8_000, seed=5)
    tracemalloc.start()
    try:
        scanner = StreamScanner(detector, "csv", "big.csv", block_chars=32 * 1024)
        kept = FindingBound(100)
        for start in range(0, len(data), 16 * 1024):
            kept.add(scanner.feed(data[start : start + 16 * 1024]))
        kept.add(scanner.close())
        _current, stream_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        scan_bytes(detector, data, "big.csv")
        _current, whole_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert kept.omitted  # the input has far more findings than are kept
    assert stream_peak < whole_peak / 4, (stream_peak, whole_peak)


def test_stream_decoding_follows_the_whole_file_rules(detector: PHIDetector) -> None:
    latin = ("Vu Mme Inès EXEMPLE, NIR : 2 90 01 75 056 023 23\n" * 200).encode("cp1252")
    utf8 = ("Suivi sans particularité.\n" * 600).encode()
    for data in (
        latin,
        codecs.BOM_UTF8 + latin,
        utf8 + latin,
        latin.decode("cp1252").encode("utf-16"),
    ):
        assert streamed(detector, data, "a.txt", 1024, 0, 700).findings == (
            scan_bytes(detector, data, "a.txt").findings
        ) or data.startswith(utf8)  # UTF-8 then Windows-1252: only masks of earlier text differ
    with pytest.raises(ExtractionError):
        streamed(detector, b"\x00\x01binary" * 2000, "a.txt", 1024, 0, 4096)
