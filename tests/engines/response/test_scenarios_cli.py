"""``hygie response scenario check``: exit codes and ``file:line: path: message`` output."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from hygie.response.cli import response
from hygie.response.engine.scenarios import MAX_SCENARIO_BYTES

SHIPPED = sorted(
    (Path(__file__).resolve().parents[3] / "hygie" / "response" / "scenarios").glob("*.yaml")
)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(response, ["scenario", "check", *args])
    return result.exit_code, result.stdout, result.stderr


def test_shipped_scenarios_pass() -> None:
    code, out, _ = run(*map(str, SHIPPED))
    assert code == 0
    assert out.count(": ok (") == len(SHIPPED) == 2


def test_every_problem_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema_version: 1\nkey: x\nbogus: 1\n", encoding="utf-8")
    code, out, _ = run(str(bad))
    assert code == 1
    assert f"{bad}:3: bogus: unknown key" in out
    assert "missing required key: injects" in out


def test_unreadable_and_oversized_files_exit_2(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (MAX_SCENARIO_BYTES + 1))
    code, _, err = run(str(big), str(tmp_path / "missing.yaml"))
    assert code == 2
    assert "larger than" in err and "cannot be read" in err
