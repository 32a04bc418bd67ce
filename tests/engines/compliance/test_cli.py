"""``hygie compliance check-library [DIR]`` and ``convert-ciso FILE``: output and exit codes
(no database)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from hygie.compliance.cli import compliance
from hygie.compliance.engine import parse_framework

from .samples import ALPHA_TO_CONTROLS, CISO_LIBRARY, library_files


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(compliance, ["check-library", *args])
    return result.exit_code, result.stdout, result.stderr


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_shipped_library_is_checked_without_dir() -> None:
    code, out, _ = run()
    assert code == 0, out
    lines = out.splitlines()
    assert lines[-1].startswith("ok: ")
    assert any(line.startswith("care: ") and "frameworks/care.yaml" in line for line in lines)


def test_valid_folder_prints_a_summary(tmp_path: Path) -> None:
    root = write(tmp_path, library_files())
    code, out, _ = run(str(root))
    assert code == 0
    assert out.splitlines() == [
        f"alpha: 3 requirements (2 assessable, 1 unverified) — {root / 'frameworks/alpha.yaml'}",
        f"beta: 1 requirements (1 assessable, 0 unverified) — {root / 'frameworks/beta.yaml'}",
        "ok: 2 framework(s), 3 controls, 2 mapping(s) (3 entries)",
    ]
    assert run("--quiet", str(root))[:2] == (0, "")


def test_problems_as_file_line_message(tmp_path: Path) -> None:
    bad = ALPHA_TO_CONTROLS.replace("hygie.identity.mfa", "hygie.identity.nope")
    root = write(tmp_path, library_files(alpha_to_controls=bad))
    code, out, err = run(str(root))
    assert code == 1
    path = root / "mappings/alpha-to-controls.yaml"
    assert out == f"{path}:8: unknown control hygie.identity.nope\n"
    assert "1 problem(s)" in err


def test_folder_without_controls_uses_hygie_catalogue(tmp_path: Path) -> None:
    files = library_files(controls=None)
    root = write(tmp_path, files)
    code, out, _ = run(str(root))
    # The sample controls are Hygie's too, except none is missing: the check passes.
    assert code == 0, out
    assert "frameworks/alpha.yaml" in out


def test_usage_errors(tmp_path: Path) -> None:
    code, out, err = run(str(tmp_path / "missing"))
    assert (code, out) == (2, "")
    assert "not a folder" in err
    code, _, err = run(str(tmp_path))
    assert code == 2 and "no library file" in err
    root = write(tmp_path / "lib", library_files())
    (root / "frameworks" / "alpha.yaml").write_bytes(b"format: \xff\xfe\n")
    code, _, err = run(str(root))
    assert code == 2 and "not UTF-8" in err


def convert(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(compliance, ["convert-ciso", *args])
    return result.exit_code, result.stdout, result.stderr


def test_convert_ciso_library(tmp_path: Path) -> None:
    source = tmp_path / "tiny.yaml"
    source.write_text(CISO_LIBRARY, encoding="utf-8")
    code, out, _ = convert(str(source))
    assert code == 0
    assert "format: hygie-framework/1" in out
    assert parse_framework("tiny-clinic.yaml", out).id == "tiny-clinic"
    # Written to a file, then checked as a library of its own.
    library = tmp_path / "lib"
    (library / "frameworks").mkdir(parents=True)
    target = library / "frameworks" / "tiny-clinic.yaml"
    code, out, err = convert(str(source), "-o", str(target))
    assert (code, out) == (0, "")
    assert "tiny-clinic, 5 requirements (3 assessable), languages en, fr" in err
    assert run(str(library))[0] == 0
    assert [p.name for p in (library / "frameworks").iterdir()] == ["tiny-clinic.yaml"]


def test_convert_ciso_problems_and_usage(tmp_path: Path) -> None:
    source = tmp_path / "bad.yaml"
    source.write_text("urn: x\nobjects: {}\n", encoding="utf-8")
    code, out, err = convert(str(source))
    assert code == 1
    assert out == f"{source}:2: no framework in this library (objects.framework)\n"
    assert convert(str(tmp_path / "missing.yaml"))[0] == 2
    source.write_text(CISO_LIBRARY, encoding="utf-8")
    code, _, err = convert(str(source), "-o", str(tmp_path / "no" / "such" / "dir.yaml"))
    assert code == 2 and "cannot be written" in err
