"""Syslog receivers (RFC 3164 and RFC 5424 over UDP, TCP and TLS) feeding the ingestion pipeline.

One thread per server (``socketserver``), one thread per TCP/TLS connection. Each read is
published to the event queue (``hygie.detection.queue``) as one batch of lines: the bounded
in-process queue by default, NATS JetStream when ``HYGIE_EVENT_QUEUE`` names a server. An
``IngestConsumer`` (``hygie.detection.pipeline``) drains the queue into storage.

Back-pressure: when the queue is full, TCP and TLS readers block, so the sender's TCP window
closes and it slows down; UDP cannot push back, so datagrams that find the queue full are
dropped and counted (logged). A TCP reader reads on only after the queue took the previous
read (JetStream: after its publish acknowledgement). Clean shutdown: stop accepting, let each
connection read what its peer already sent (bounded by a grace period), then (in-process) store
everything queued before returning: a line read from a socket is stored before ``stop()``
returns. With JetStream, what was published stays in the stream for the next consumer.
"""

from __future__ import annotations

import logging
import select
import socket
import socketserver
import ssl
import threading
import time
from typing import Any

from hygie.detection.engine.parsers.framing import MAX_FRAME_BYTES, FrameState, split_frames
from hygie.detection.pipeline import BATCH_LINES, IngestConsumer, IngestStats
from hygie.detection.queue import EventBatch, EventQueue, InProcessQueue

logger = logging.getLogger(__name__)

QUEUE_SIZE = 100_000
READ_TIMEOUT = 0.5  # how often an idle connection checks whether we are stopping
DRAIN_GRACE = 5.0  # on stop, how long a connection may keep reading what its peer already sent
SOURCE = "syslog"

ListenerStats = IngestStats


def parse_address(value: str, name: str) -> tuple[str, int]:
    from hygie.config import ConfigError

    host, separator, port = value.strip().rpartition(":")
    if not separator or not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise ConfigError(f"{name} must look like 0.0.0.0:514, got {value!r}")
    return host.strip("[]"), int(port)


class _UDPHandler(socketserver.BaseRequestHandler):
    server: _UDPServer

    def handle(self) -> None:
        data = self.request[0].rstrip(b"\r\n\x00")
        if not data:
            return
        owner = self.server.owner
        if owner.publish([data], timeout=0):
            owner.stats.add("received")
        else:
            owner.stats.add("udp_dropped")


class _TCPHandler(socketserver.BaseRequestHandler):
    server: _TCPServer

    def handle(self) -> None:
        owner = self.server.owner
        sock: socket.socket = self.request
        sock.settimeout(READ_TIMEOUT)
        if isinstance(sock, ssl.SSLSocket):
            try:
                sock.do_handshake()
            except (OSError, ssl.SSLError) as exc:
                logger.info("syslog TLS handshake with %s failed: %s", self.client_address, exc)
                return
        remainder, state, deadline = b"", FrameState(), None
        while True:
            if owner.stopping.is_set() and deadline is None:
                deadline = time.monotonic() + DRAIN_GRACE
            if deadline is not None and time.monotonic() > deadline:
                break
            try:
                data = sock.recv(65536)
            except TimeoutError:
                if deadline is not None:
                    break  # stopping and the peer has nothing more in flight
                continue
            except (OSError, ssl.SSLError):
                break
            if not data:
                break
            frames = split_frames(remainder + data, state, owner.max_frame_bytes)
            remainder, state = frames.remainder, frames.state
            if frames.truncated:
                owner.stats.add("truncated", frames.truncated)
            if frames.frames:
                owner.publish(frames.frames)  # blocks when full: back-pressure on the sender
                owner.stats.add("received", len(frames.frames))
        tail = remainder.strip(b"\r\n\x00 ")
        if tail and not state.skip_bytes and not state.skip_to_newline:
            owner.publish([tail])  # a last line without its newline is still a line
            owner.stats.add("received")


class _UDPServer(socketserver.UDPServer):
    # One thread, no thread per datagram: UDP handling is a put_nowait.
    allow_reuse_address = True
    max_packet_size = 65535

    def __init__(self, address: tuple[str, int], owner: SyslogListeners) -> None:
        self.owner = owner
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _UDPHandler)


class _TCPServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = False
    block_on_close = True  # server_close() joins the connection threads: none left behind
    request_queue_size = 128

    def __init__(
        self, address: tuple[str, int], owner: SyslogListeners, tls: ssl.SSLContext | None = None
    ) -> None:
        self.owner, self.tls = owner, tls
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _TCPHandler)

    def get_request(self) -> tuple[Any, Any]:
        sock, address = super().get_request()
        if self.tls is not None:
            # The handshake runs in the connection's thread, so a slow peer cannot stall accept.
            sock = self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address


class SyslogListeners:
    """The configured receivers and their consumer; ``start()`` then ``stop()``."""

    def __init__(
        self,
        establishment_id: int,
        *,
        udp: str = "",
        tcp: str = "",
        tls: str = "",
        tls_cert: str = "",
        tls_key: str = "",
        queue_size: int = QUEUE_SIZE,
        batch_lines: int = BATCH_LINES,
        max_frame_bytes: int = MAX_FRAME_BYTES,
        event_queue: EventQueue | None = None,
        consume: bool = True,
        processes: int | None = None,
    ) -> None:
        self.establishment_id = establishment_id
        self.queue = event_queue if event_queue is not None else InProcessQueue(queue_size)
        self.max_frame_bytes = max_frame_bytes
        self.stats = ListenerStats()
        # The in-process queue has no other consumer: it always gets one here.
        self.consumer = (
            IngestConsumer(
                self.queue, stats=self.stats, batch_lines=batch_lines, processes=processes
            )
            if consume or self.queue.in_process
            else None
        )
        self.stopping = threading.Event()
        self.servers: dict[str, socketserver.TCPServer] = {}  # UDPServer is a TCPServer too
        if udp:
            self.servers["udp"] = _UDPServer(parse_address(udp, "HYGIE_SYSLOG_UDP"), self)
        if tcp:
            self.servers["tcp"] = _TCPServer(parse_address(tcp, "HYGIE_SYSLOG_TCP"), self)
        if tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.load_cert_chain(tls_cert, tls_key)
            self.servers["tls"] = _TCPServer(parse_address(tls, "HYGIE_SYSLOG_TLS"), self, context)
        self._threads: list[threading.Thread] = []
        self._last_drop_log = (0.0, 0)
        self._drop_logger = threading.Thread(
            target=self._watch_drops, name="syslog-drops", daemon=True
        )

    def publish(self, lines: list[bytes], timeout: float | None = None) -> bool:
        """Hand a read's lines to the queue; False only when ``timeout`` passed (UDP)."""
        return self.queue.publish(EventBatch(self.establishment_id, SOURCE, lines), timeout)

    @classmethod
    def from_settings(cls) -> SyslogListeners | None:
        """The listeners ``HYGIE_SYSLOG_*`` configure, or None when none is."""
        from django.conf import settings

        from hygie.config import ConfigError
        from hygie.core.models import Establishment

        config = settings.CONFIG
        if not (config.syslog_udp or config.syslog_tcp or config.syslog_tls):
            return None
        establishment_id = config.syslog_establishment
        if not establishment_id:
            ids = list(Establishment.objects.values_list("pk", flat=True)[:2])
            if len(ids) != 1:
                raise ConfigError(
                    "set HYGIE_SYSLOG_ESTABLISHMENT to the id of the establishment "
                    "the received syslog events belong to"
                )
            establishment_id = ids[0]
        elif not Establishment.objects.filter(pk=establishment_id).exists():
            raise ConfigError(f"HYGIE_SYSLOG_ESTABLISHMENT: no establishment {establishment_id}")
        from hygie.detection.queue import open_event_queue

        queue_size = int(getattr(settings, "HYGIE_SYSLOG_QUEUE_SIZE", QUEUE_SIZE))
        return cls(
            establishment_id,
            udp=config.syslog_udp,
            tcp=config.syslog_tcp,
            tls=config.syslog_tls,
            tls_cert=config.syslog_tls_cert,
            tls_key=config.syslog_tls_key,
            queue_size=queue_size,
            event_queue=open_event_queue(config.event_queue, max_lines=queue_size),
            processes=config.ingest_processes,
        )

    def addresses(self) -> dict[str, tuple[str, int]]:
        # IPv4 and IPv6 servers: (host, port, ...) with a text host.
        return {
            kind: (str(server.server_address[0]), server.server_address[1])
            for kind, server in self.servers.items()
        }

    def start(self) -> None:
        if self.consumer is not None:
            self.consumer.start()
        self._drop_logger.start()
        for kind, server in self.servers.items():
            thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.2}, name=f"syslog-{kind}"
            )
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Stop accepting, read what peers already sent, store everything queued, return."""
        self.stopping.set()
        for server in self.servers.values():
            server.shutdown()  # serve_forever returns: no new connection or datagram
            self._take_pending(server)
        for server in self.servers.values():
            server.server_close()  # TCP: joins the connection threads (they see ``stopping``)
        for thread in self._threads:
            thread.join()
        if self.queue.in_process:
            self.queue.close()  # after every reader is done: the consumer drains what is left
        if self.consumer is not None:
            self.consumer.stop()
        if not self.queue.in_process:
            self.queue.close()  # the broker keeps what no consumer took
        self._log_drops(force=True)

    @staticmethod
    def _take_pending(server: socketserver.TCPServer) -> None:
        # A connection the kernel accepted (its data sent and acknowledged) may still wait in
        # the backlog, and datagrams in the socket buffer: handle them too, within the grace.
        server.timeout = 0
        deadline = time.monotonic() + DRAIN_GRACE
        while time.monotonic() < deadline and select.select([server.socket], [], [], 0)[0]:
            server.handle_request()

    def _watch_drops(self) -> None:
        while not self.stopping.wait(1.0):
            self._log_drops()

    def _log_drops(self, force: bool = False) -> None:
        last_time, last_count = self._last_drop_log
        dropped = self.stats.udp_dropped
        if dropped > last_count and (force or time.monotonic() - last_time > 10):
            logger.warning(
                "syslog UDP: %d datagrams dropped so far (queue full; UDP cannot "
                "slow the sender down, use TCP or TLS)",
                dropped,
            )
            self._last_drop_log = (time.monotonic(), dropped)
