"""sshd, sudo and su messages become user, source and outcome fields, routed as SigmaHQ does."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hygie.detection.engine import DetectionEngine, DetectionSession, RuleSource, load_rule_pack
from hygie.detection.engine.parsers import ParserConfig, detect_and_parse

CONFIG = ParserConfig(reference_time=datetime(2026, 11, 28, 12, 0, tzinfo=UTC))


def parse(message: str, program: str = "sshd") -> dict[str, object]:
    parsed = detect_and_parse(f"Nov 28 10:00:00 pacs01 {program}[77]: {message}", CONFIG)
    assert parsed.error is None
    return parsed.event


@pytest.mark.parametrize(
    ("message", "user", "outcome", "method", "ip", "port"),
    [
        ("Accepted password for alice from 10.0.0.5 port 51234 ssh2", "alice", "success",
         "password", "10.0.0.5", 51234),
        ("Accepted publickey for backup from 2001:db8::7 port 22 ssh2: ED25519 SHA256:x",
         "backup", "success", "publickey", "2001:db8::7", 22),
        ("Failed password for root from 203.0.113.5 port 4242 ssh2", "root", "failure",
         "password", "203.0.113.5", 4242),
        ("Failed publickey for bob from 203.0.113.6 port 1 ssh2", "bob", "failure",
         "publickey", "203.0.113.6", 1),
    ],
)  # fmt: skip
def test_sshd_logins(
    message: str, user: str, outcome: str, method: str, ip: str, port: int
) -> None:
    event = parse(message)
    assert event["event.category"] == "authentication"
    assert event["event.action"] == "ssh_login"
    assert (event["user.name"], event["event.outcome"], event["ssh.method"]) == (
        user,
        outcome,
        method,
    )
    assert (event["source.ip"], event["source.port"]) == (ip, port)


def test_sshd_invalid_user() -> None:
    event = parse("Failed password for invalid user admin from 203.0.113.5 port 4242 ssh2")
    assert event["user.name"] == "admin" and event["user.is_invalid"] is True
    event = parse("Invalid user oracle from 198.51.100.1 port 50000")
    assert event["event.action"] == "ssh_invalid_user" and event["event.outcome"] == "failure"
    assert event["user.name"] == "oracle" and event["source.port"] == 50000


def test_sshd_source_hostname_is_an_address_not_an_ip() -> None:
    event = parse("Accepted password for alice from gw.example.org port 2 ssh2")
    assert event["source.address"] == "gw.example.org" and "source.ip" not in event


def test_sudo_command_with_semicolons() -> None:
    event = parse(
        "   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/sh -c 'a ; b'",
        "sudo",
    )
    assert event["user.name"] == "alice" and event["user.target.name"] == "root"
    assert event["process.command_line"] == "/bin/sh -c 'a ; b'"
    assert event["process.executable"] == "/bin/sh"
    assert event["process.tty.name"] == "pts/0"
    assert event["event.action"] == "sudo_command" and event["event.outcome"] == "success"


@pytest.mark.parametrize(
    "reason", ["3 incorrect password attempts", "user NOT in sudoers", "command not allowed"]
)
def test_sudo_failures(reason: str) -> None:
    event = parse(f"mallory : {reason} ; TTY=pts/2 ; PWD=/ ; USER=root ; COMMAND=/bin/sh", "sudo")
    assert event["event.outcome"] == "failure" and event["event.reason"] == reason
    assert event["user.name"] == "mallory"


def test_su_messages() -> None:
    event = parse("FAILED SU (to root) alice on pts/3", "su")
    assert (event["user.name"], event["user.target.name"], event["event.outcome"]) == (
        "alice",
        "root",
        "failure",
    )
    event = parse("Successful su for root by alice", "su")
    assert event["event.outcome"] == "success" and event["user.target.name"] == "root"
    event = parse(
        "pam_unix(su-l:session): session opened for user root(uid=0) by alice(uid=1000)", "su"
    )
    assert event["event.action"] == "session_opened"
    assert (event["user.name"], event["user.target.name"]) == ("alice", "root")


def test_log_sources_follow_sigmahq() -> None:
    def source(line: str) -> tuple[str | None, str | None] | None:
        parsed = detect_and_parse(line, CONFIG)
        return (
            None
            if parsed.logsource is None
            else (
                parsed.logsource.product,
                parsed.logsource.service,
            )
        )

    assert source("Nov 28 10:00:00 h sshd[1]: x") == ("linux", "sshd")
    assert source("Nov 28 10:00:00 h sudo: x") == ("linux", "sudo")
    assert source("Nov 28 10:00:00 h su[1]: x") == ("linux", "auth")
    assert source("<86>Nov 28 10:00:00 h unknownd[1]: x") == ("linux", "auth")  # authpriv
    assert source("Nov 28 10:00:00 h CRON[1]: x") == ("linux", "cron")
    assert source("<14>Nov 28 10:00:00 h app[1]: x") is None


def test_sigmahq_keyword_rule_fires_on_the_raw_line() -> None:
    """SigmaHQ's linux rules are keyword searches written against the log line."""
    rule = """
title: sshd keyword
id: 4b9bd7a3-3d1c-4b0a-9e58-1d0c8d7c6a11
status: test
logsource: {product: linux, service: sshd}
detection:
    keywords:
        - 'Corrupted MAC on input'
    condition: keywords
level: high
"""
    engine = DetectionEngine(load_rule_pack([RuleSource("r.yml", rule)]))
    session = DetectionSession(engine)
    parsed = detect_and_parse("Nov 28 10:00:00 h sshd[9]: Corrupted MAC on input.", CONFIG)
    assert [r.title for r in session.process(parsed.event, logsource=parsed.logsource).rules] == [
        "sshd keyword"
    ]
    other = detect_and_parse("Nov 28 10:00:00 h sudo: Corrupted MAC on input.", CONFIG)
    assert session.process(other.event, logsource=other.logsource).rules == ()
