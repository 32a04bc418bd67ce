"""Hygie's receiving SMTP endpoint for reported mails (aiosmtpd).

Point the report address's forwarding (or a mail-gateway rule) at it: each message received
becomes a reported mail of the configured establishment (``receive_report``, channel ``smtp``).
Messages over ``MAX_REPORT_BYTES`` are refused during DATA (552) by aiosmtpd's size limit;
a message that is no mail is refused with 554 and the reason, so the sender's server bounces it
to the reporter; an unexpected failure answers 451 (try again later) and nothing is half-written
(``receive_report`` is one transaction). Recipients are limited per message, the envelope is
never logged, and the handler runs the Django work in a worker thread (the ORM is synchronous).

Started by ``hygie awareness smtp-listen`` and, when ``HYGIE_AWARENESS_SMTP_LISTEN`` is set
(``127.0.0.1:2525``; with ``HYGIE_AWARENESS_SMTP_ESTABLISHMENT``), by ``hygie serve``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from typing import Any

from aiosmtpd.controller import Controller
from django.core.exceptions import ValidationError
from django.db import close_old_connections

from hygie.awareness.engine.report import MAX_REPORT_BYTES
from hygie.awareness.models import ReportChannel
from hygie.awareness.services.triage import receive_report
from hygie.core.models import Establishment

logger = logging.getLogger("hygie.awareness.smtp")

MAX_RECIPIENTS = 10
LISTEN_SETTING = "HYGIE_AWARENESS_SMTP_LISTEN"
ESTABLISHMENT_SETTING = "HYGIE_AWARENESS_SMTP_ESTABLISHMENT"


def _store(data: bytes, establishment_id: int) -> str:
    """Record one message; the SMTP answer."""
    close_old_connections()
    try:
        establishment = Establishment.objects.get(pk=establishment_id)
        report = receive_report(data, ReportChannel.SMTP, establishment=establishment)
    except ValidationError as error:
        reason = " ".join(error.messages)[:200].replace("\r", " ").replace("\n", " ")
        return f"554 5.6.0 {reason}"
    except Exception as error:  # noqa: BLE001 - the client retries; the report is not lost
        logger.error("reported mail not stored: %s", type(error).__name__)
        return "451 4.3.0 Temporary failure, try again later"
    finally:
        close_old_connections()
    return f"250 2.0.0 Reported (#{report.pk})"


class _Handler:
    def __init__(self, establishment_id: int) -> None:
        self.establishment_id = establishment_id

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return "452 4.5.3 Too many recipients"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        data = envelope.original_content or envelope.content or b""
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, _store, bytes(data), self.establishment_id)


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class ReportSMTPServer:
    """The endpoint in a background thread: ``start()``, ``stop()``; port 0 picks a free one."""

    def __init__(self, host: str, port: int, establishment_id: int) -> None:
        self.host = host
        self.port = port or _free_port(host)
        self.controller = Controller(
            _Handler(establishment_id),
            hostname=host,
            port=self.port,
            data_size_limit=MAX_REPORT_BYTES,
            decode_data=False,
            ident="Hygie report endpoint",
        )

    def start(self) -> None:
        # aiosmtpd logs every envelope address at INFO: reporters' addresses stay out of logs.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    @classmethod
    def from_environment(cls) -> ReportSMTPServer | None:
        """The endpoint ``HYGIE_AWARENESS_SMTP_LISTEN`` asks for (``hygie serve``), or None."""
        listen = os.environ.get(LISTEN_SETTING, "").strip()
        if not listen:
            return None
        host, _sep, port = listen.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"{LISTEN_SETTING} must look like 127.0.0.1:2525, got {listen!r}")
        establishment_id = os.environ.get(ESTABLISHMENT_SETTING, "").strip()
        if not establishment_id.isdecimal():
            ids = list(Establishment.objects.values_list("pk", flat=True)[:2])
            if len(ids) != 1:
                raise ValueError(f"set {ESTABLISHMENT_SETTING} to the establishment's id")
            establishment_id = str(ids[0])
        return cls(host.strip("[]"), int(port), int(establishment_id))
