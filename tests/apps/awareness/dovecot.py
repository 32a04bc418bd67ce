"""A throwaway Dovecot IMAP server on 127.0.0.1 for the report-mailbox tests.

Its own configuration directory, a passwd-file user, plain IMAP on a free port, stopped after.
Without Dovecot the tests skip with a reason, but fail in CI (CI=true), where it is installed
(``dovecot-imapd`` in .ci/run).
"""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

USER = "signalement@chu-exemple.fr"
PASSWORD = "imap-test-secret-7"  # noqa: S105 - a throwaway test server's password


@dataclass(frozen=True)
class Dovecot:
    host: str
    port: int
    user: str
    password: str
    log: Path

    def append(self, message: bytes, folder: str = "INBOX") -> None:
        """Deliver a message into the mailbox (IMAP APPEND, as a mail client would)."""
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        try:
            try:
                client.login(self.user, self.password)
            except imaplib.IMAP4.error as error:
                tail = self.log.read_text()[-2000:] if self.log.exists() else ""
                raise AssertionError(f"Dovecot login failed: {error}\n{tail}") from None
            status, _data = client.append(
                folder, "", imaplib.Time2Internaldate(time.time()), message
            )
            assert status == "OK"
        finally:
            client.logout()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _binary() -> str:
    found = shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
    )
    if found is None:
        reason = "Dovecot is not installed (apt-get install dovecot-imapd)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def start_dovecot() -> Iterator[Dovecot]:
    """Start Dovecot in a fresh directory readable by its own users (pytest's tmp_path is
    not, when the tests run as root), yield it, then stop it and remove the directory."""
    binary = _binary()
    # Not under the test run's private temporary directory: Dovecot's users must read it.
    base = "/tmp" if os.path.isdir("/tmp") else None  # noqa: S108
    directory = Path(tempfile.mkdtemp(prefix="hygie-dovecot-", dir=base))
    try:
        yield from _run(binary, directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _run(binary: str, directory: Path) -> Iterator[Dovecot]:
    port = _free_port()
    if os.geteuid() == 0:  # root: Dovecot drops to its own users
        internal, login = "dovecot", "dovenull"
        mail_user = pwd.getpwnam("dovecot")
    else:
        internal = login = pwd.getpwuid(os.getuid()).pw_name
        mail_user = pwd.getpwuid(os.getuid())
    for name in ("run", "state", "home"):
        (directory / name).mkdir(parents=True, exist_ok=True)
    home = directory / "home"
    os.chmod(directory, 0o755)
    if os.geteuid() == 0:
        os.chown(home, mail_user.pw_uid, mail_user.pw_gid)
    (directory / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    os.chmod(directory / "passwd", 0o644)  # the test run's umask may be 077
    config = directory / "dovecot.conf"
    config.write_text(
        f"""
base_dir = {directory}/run
state_dir = {directory}/state
log_path = {directory}/dovecot.log
info_log_path = {directory}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {internal}
default_login_user = {login}
first_valid_uid = {mail_user.pw_uid}
mail_location = maildir:{home}/%u/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {directory}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={mail_user.pw_gid} home={home}/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""
    )
    process = subprocess.Popen(  # noqa: S603 - our own test binary and config
        [binary, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = directory / "dovecot.log"
                    output = (
                        process.stdout.read().decode(errors="replace") if process.stdout else ""
                    )
                    details = log.read_text() if log.exists() else ""
                    pytest.fail(f"Dovecot did not start: {output}\n{details}")
                time.sleep(0.1)
        yield Dovecot("127.0.0.1", port, USER, PASSWORD, directory / "dovecot.log")
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
