"""``hygie response playbook check``: exit codes and ``file:line: path: message`` output."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from hygie.response.cli import response
from hygie.response.engine.playbooks import MAX_PLAYBOOK_BYTES

SHIPPED = sorted(
    (Path(__file__).resolve().parents[3] / "hygie" / "response" / "playbooks").glob("*.yaml")
)

VALID = """\
schema_version: 1
key: small
version: "2026-03-01"
title: {fr: Petit, en: Small}
categories: [other]
contacts:
  - {role: rssi, who: RSSI, when: Toujours, phone: to_complete}
phases:
  triage:
    steps:
      - {id: one, title: Un}
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(response, ["playbook", "check", *args])
    return result.exit_code, result.stdout, result.stderr


def test_shipped_playbooks_pass() -> None:
    code, out, _ = run(*map(str, SHIPPED))
    assert code == 0
    assert out.count(": ok (") == len(SHIPPED) == 8


def test_valid_file(tmp_path: Path) -> None:
    path = tmp_path / "small.yaml"
    path.write_text(VALID, encoding="utf-8")
    code, out, _ = run(str(path))
    assert code == 0
    assert out == f"{path}: ok (small 2026-03-01, 1 steps, 1 contact(s) to complete)\n"
    assert run("--quiet", str(path))[1] == ""


def test_invalid_file_lists_every_problem(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(VALID, encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    text = VALID.replace("[other]", "[volcano]")
    bad.write_text(text.replace("title: Un}", "title: Un, due_after: 1h}"), encoding="utf-8")
    code, out, _ = run(str(good), str(bad))
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"{good}: ok")
    assert lines[1].startswith(f"{bad}:5: categories[0]: unknown incident category")
    assert lines[2].startswith(f"{bad}:11: phases.triage.steps[0].due_after: not an ISO 8601")
    assert len(lines) == 3


def test_unreadable_files_exit_2(tmp_path: Path) -> None:
    huge = tmp_path / "huge.yaml"
    huge.write_bytes(b"#" * (MAX_PLAYBOOK_BYTES + 1))
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("clé: é".encode("latin-1"))
    code, _, err = run(str(huge), str(latin), str(tmp_path / "missing.yaml"))
    assert code == 2
    assert f"{huge}: larger than" in err and f"{latin}: not UTF-8" in err
    assert "missing.yaml: cannot be read" in err


def test_requires_a_file() -> None:
    assert run()[0] == 2


def test_obligations_command_still_there() -> None:
    result = CliRunner().invoke(response, ["--help"])
    assert "obligations" in result.stdout and "playbook" in result.stdout
