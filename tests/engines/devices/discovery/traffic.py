"""Real traffic on 127.0.0.1, captured: DICOM (pynetdicom C-ECHO and C-STORE), HL7 v2 over
MLLP (the shared synthetic messages), MQTT CONNECT (paho-mqtt against the local Mosquitto),
HTTP. Capture with dumpcap (Wireshark) on the loopback interface; the caller skips when a
piece is missing."""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

MQTT_CLIENT_ID = "hygie-pump-0042"
CALLING_AE = "HYGIE-MODALITY"
CALLED_AE = "HYGIE-PACS"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def capture_available() -> str:
    """Empty when capturing on lo works here, else the reason."""
    if shutil.which("dumpcap") is None:
        return "dumpcap (Wireshark) is not installed"
    probe = subprocess.run(["dumpcap", "-D"], capture_output=True, text=True, timeout=30)
    if "lo" not in probe.stdout:
        return "no capture permission on the loopback interface"
    return ""


@contextlib.contextmanager
def capture(path: Path, ports: list[int], *, pcapng: bool = True) -> Iterator[None]:
    expression = " or ".join(f"tcp port {port}" for port in ports)
    command = ["dumpcap", "-q", "-i", "lo", "-f", expression, "-w", str(path)]
    if not pcapng:
        command.append("-P")
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not path.exists():
            time.sleep(0.05)
        time.sleep(0.5)  # the filter is attached once the file exists
        yield
        time.sleep(0.5)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def dicom_traffic(port: int) -> None:
    """C-ECHO then C-STORE of a small synthetic CT image (no patient)."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid
    from pynetdicom import AE, evt
    from pynetdicom.sop_class import CTImageStorage, Verification

    def on_store(event: object) -> int:
        return 0x0000

    server = AE(ae_title=CALLED_AE)
    server.add_supported_context(Verification)
    server.add_supported_context(CTImageStorage, ExplicitVRLittleEndian)
    scp = server.start_server(
        ("127.0.0.1", port), block=False, evt_handlers=[(evt.EVT_C_STORE, on_store)]
    )
    try:
        client = AE(ae_title=CALLING_AE)
        client.add_requested_context(Verification)
        client.add_requested_context(CTImageStorage, ExplicitVRLittleEndian)
        assoc = client.associate("127.0.0.1", port, ae_title=CALLED_AE)
        assert assoc.is_established
        assoc.send_c_echo()
        image = Dataset()
        image.SOPClassUID = CTImageStorage
        image.SOPInstanceUID = generate_uid()
        image.PatientName = "SYNTHETIC^TEST"
        image.Modality = "CT"
        image.file_meta = FileMetaDataset()
        image.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        assoc.send_c_store(image)
        assoc.release()
    finally:
        scp.shutdown()


def mllp_traffic(port: int, messages: list[bytes]) -> int:
    """An MLLP listener acknowledging each message, and a client sending them; the number of
    acknowledgements received."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", port))
    listener.listen(1)

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            buffer = b""
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buffer += chunk
                while b"\x1c\r" in buffer:
                    _frame, buffer = buffer.split(b"\x1c\r", 1)
                    ack = (
                        b"MSH|^~\\&|HYGIE-LISTENER|HYGIE-LAB|ADTApp|GHHSFacility|"
                        b"20260101000000||ACK^A01^ACK|1|P|2.5\rMSA|AA|1\r"
                    )
                    conn.sendall(b"\x0b" + ack + b"\x1c\r")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    acks = 0
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        for message in messages:
            body = message.replace(b"\r\n", b"\r").replace(b"\n", b"\r")
            client.sendall(b"\x0b" + body + b"\x1c\r")
            received = b""
            while b"\x1c\r" not in received:
                chunk = client.recv(65536)
                if not chunk:
                    break
                received += chunk
            acks += 1
    thread.join(timeout=10)
    listener.close()
    return acks


def mqtt_traffic(host: str = "127.0.0.1", port: int = 1883) -> None:
    import paho.mqtt.client as mqtt

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=MQTT_CLIENT_ID)
    client.connect(host, port, keepalive=10)
    client.loop_start()
    info = client.publish("hygie/test/pump", b"status=ok", qos=1)
    info.wait_for_publish(timeout=10)
    client.loop_stop()
    client.disconnect()


def http_traffic(port: int) -> None:
    import http.server
    import urllib.request

    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "HygieTestMonitor/1.0"

        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=httpd.handle_request, daemon=True)
    thread.start()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/status", headers={"User-Agent": "HygieInfusionPump/2.3"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
        response.read()
    thread.join(timeout=10)
    httpd.server_close()


def mqtt_available(host: str = "127.0.0.1", port: int = 1883) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False
