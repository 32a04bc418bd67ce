"""Linux authentication messages (sshd, sudo, su): who logged in, from where, as whom.

Applied to a syslog event whose program is known; the message text is matched with anchored
regexes whose only unbounded parts are single character classes, so matching stays linear.
The log source follows SigmaHQ: ``linux``/``sshd``, ``linux``/``sudo``, ``linux``/``auth``.
"""

from __future__ import annotations

import re
from typing import Any

from ..rule_pack import LogSourceSpec
from .base import is_ip_address

SSHD = LogSourceSpec(product="linux", service="sshd")
SUDO = LogSourceSpec(product="linux", service="sudo")
AUTH = LogSourceSpec(product="linux", service="auth")
CRON = LogSourceSpec(product="linux", service="cron")

# Programs that write to the auth facility on every mainstream distribution.
_AUTH_PROGRAMS = frozenset(
    {"su", "login", "passwd", "useradd", "userdel", "usermod", "groupadd", "groupmod",
     "chpasswd", "systemd-logind", "polkitd", "pkexec", "unix_chkpwd", "gdm-password"}
)  # fmt: skip
_AUTH_FACILITIES = frozenset({4, 10})  # auth, authpriv

_SSH_LOGIN = re.compile(
    r"(Accepted|Failed) (password|publickey|keyboard-interactive/pam|hostbased|gssapi-with-mic"
    r"|none) for (invalid user )?(\S{0,256}) from (\S{1,64}) port (\d{1,5})"
)
_SSH_INVALID = re.compile(r"[Ii]nvalid user (\S{0,256}) from (\S{1,64})(?: port (\d{1,5}))?")
_SSH_CLOSED = re.compile(
    r"(?:Connection closed|Disconnected) by (?:(?:invalid|authenticating) user (\S{0,256}) )?"
    r"(\S{1,64}) port (\d{1,5})"
)
_SUDO = re.compile(r"\s{0,8}(\S{1,256}) : ([^;]{0,256}?)\s?;?\s?((?:TTY|PWD|USER)=.*)")
_SU_OK = re.compile(
    r"(?:Successful su for (\S{1,256}) by (\S{1,256})|\(to (\S{1,256})\) (\S{1,256}) on)"
)
_SU_FAILED = re.compile(r"FAILED SU \(to (\S{1,256})\) (\S{1,256}) on")
_PAM_SESSION = re.compile(
    r"pam_unix\((su|su-l|sudo|sudo-i|sshd|login):session\): session (opened|closed) for user "
    r"([^\s(]{1,256})(?:\(uid=\d{1,10}\))?(?: by ([^\s(]{0,256}))?"
)


def logsource_for(event: dict[str, Any]) -> LogSourceSpec | None:
    """The SigmaHQ log source of a syslog event, from its program and facility."""
    return _logsource(str(event.get("process.name", "")).lower(), event)


def enrich_and_route(event: dict[str, Any]) -> LogSourceSpec | None:
    """``enrich(event)`` then ``logsource_for(event)``, reading the program name once."""
    program = str(event.get("process.name", "")).lower()
    _enrich(program, event)
    return _logsource(program, event)


def _logsource(program: str, event: dict[str, Any]) -> LogSourceSpec | None:
    if program == "sshd":
        return SSHD
    if program == "sudo":
        return SUDO
    if program in ("cron", "crond", "anacron"):
        return CRON
    if program in _AUTH_PROGRAMS or event.get("log.syslog.facility.code") in _AUTH_FACILITIES:
        return AUTH
    return None


def enrich(event: dict[str, Any]) -> None:
    """Add user, source and outcome fields to an sshd, sudo or su message."""
    _enrich(str(event.get("process.name", "")).lower(), event)


def _enrich(program: str, event: dict[str, Any]) -> None:
    message = event.get("message")
    if not isinstance(message, str):
        return
    if program == "sshd":
        _sshd(message, event)
    elif program == "sudo":
        _sudo(message, event)
    elif program == "su":
        _su(message, event)
    if program in ("su", "sudo", "sshd", "login"):
        _pam_session(message, event)


def _sshd(message: str, event: dict[str, Any]) -> None:
    login = _SSH_LOGIN.match(message)
    if login is not None:
        verdict, method, invalid, user, address, port = login.groups()
        success = verdict == "Accepted"
        _authentication(event, "ssh_login", success)
        event["user.name"] = user
        event["ssh.method"] = method
        _source(event, address, port)
        if invalid:
            event["user.is_invalid"] = True
        return
    invalid_user = _SSH_INVALID.match(message)
    if invalid_user is not None:
        user, address, port = invalid_user.groups()
        _authentication(event, "ssh_invalid_user", False)
        event["user.name"] = user
        event["user.is_invalid"] = True
        _source(event, address, port)
        return
    closed = _SSH_CLOSED.match(message)
    if closed is not None:
        user, address, port = closed.groups()
        event["event.category"] = "network"
        event["event.action"] = "ssh_disconnect"
        if user:
            event["user.name"] = user
        _source(event, address, port)


def _sudo(message: str, event: dict[str, Any]) -> None:
    match = _SUDO.match(message)
    if match is None:
        return
    user, reason, pairs = match.groups()
    event["user.name"] = user
    command_start = pairs.find("COMMAND=")
    if command_start >= 0:
        # The command runs to the end of the line and may itself contain " ; ".
        command = pairs[command_start + len("COMMAND=") :]
        event["process.command_line"] = command
        event["process.executable"] = command.split(" ", 1)[0]
        pairs = pairs[:command_start]
    for pair in pairs.split(";"):
        key, separator, value = pair.strip().partition("=")
        if not separator:
            continue
        if key == "USER":
            event["user.target.name"] = value
        elif key == "TTY":
            event["process.tty.name"] = value
        elif key == "PWD":
            event["process.working_directory"] = value
    reason = reason.strip()
    failed = bool(reason) and any(
        marker in reason for marker in ("incorrect password", "NOT in sudoers", "not allowed")
    )
    event["event.category"] = "process"
    event["event.action"] = "sudo_command"
    event["event.outcome"] = "failure" if failed else "success"
    if reason:
        event["event.reason"] = reason


def _su(message: str, event: dict[str, Any]) -> None:
    failed = _SU_FAILED.match(message)
    if failed is not None:
        target, user = failed.groups()
        _authentication(event, "su", False)
        event["user.name"], event["user.target.name"] = user, target
        return
    success = _SU_OK.match(message)
    if success is not None:
        target_a, user_a, target_b, user_b = success.groups()
        _authentication(event, "su", True)
        event["user.name"] = user_a or user_b
        event["user.target.name"] = target_a or target_b


def _pam_session(message: str, event: dict[str, Any]) -> None:
    match = _PAM_SESSION.match(message)
    if match is None:
        return
    service, state, target, user = match.groups()
    event["event.category"] = "session"
    event["event.action"] = f"session_{state}"
    event["pam.service"] = service
    event["user.target.name"] = target
    if user:
        event["user.name"] = user


def _authentication(event: dict[str, Any], action: str, success: bool) -> None:
    event["event.category"] = "authentication"
    event["event.action"] = action
    event["event.outcome"] = "success" if success else "failure"


def _source(event: dict[str, Any], address: str, port: str | None) -> None:
    event["source.ip" if is_ip_address(address) else "source.address"] = address
    if port is not None:
        event["source.port"] = int(port)
