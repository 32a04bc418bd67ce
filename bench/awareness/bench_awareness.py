"""Phishing simulation speed: sending a 5,000-recipient campaign to a local SMTP sink, and the
tracking endpoints under load.

1. **Sending.** A fresh SQLite installation (migrated) with one establishment, 5,000 directory
   people and a campaign through a sending profile whose relay is an SMTP sink on 127.0.0.1
   (aiosmtpd, in its own process, accepting every mail). The campaign is launched (the plan is
   computed by the engine) and sent by the platform's sending service (``send_campaign``: one
   SMTP session, the rate enforced between mails), once unthrottled (``rate_per_minute`` 0)
   and once at a configured rate (``--rate``, mails per minute, on ``--rated`` recipients).
   Reported: mails/s, and for the configured rate the achieved rate against the target.
2. **Tracking.** ``hygie serve`` (waitress, the production server) on that installation; a
   second process (``load.py``) requests the open pixel and the tracked link (the landing page)
   of random recipients from ``--concurrency`` keep-alive connections for ``--seconds``.
   Reported: requests/s and p50/p95/p99 latency per endpoint, and the events stored.

Peers: GoPhish sends without a rate limit (one worker, no per-profile throttle) and records
every request as a click; there is no GoPhish on this machine, so no side-by-side figure.

    .venv/bin/python bench/awareness/bench_awareness.py
    .venv/bin/python bench/awareness/bench_awareness.py --recipients 1000 --seconds 10  # quick
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(REPO))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def _settle(base: str, token: str) -> None:
    """Wait for the server to answer, let its start-up jobs (the scheduler runs every periodic
    job once at start) finish, and warm it up, so the load measures the endpoints."""
    import urllib.request

    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5) as response:
                if response.status == 200:
                    break
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)
    time.sleep(8)
    for _ in range(10):
        for path in ("/awareness/t/o/", "/awareness/t/c/"):
            with urllib.request.urlopen(base + path + token, timeout=30) as response:
                response.read()


def _setup(home: Path) -> None:
    os.environ["HYGIE_HOME"] = str(home)
    os.environ["DJANGO_SETTINGS_MODULE"] = "hygie.settings.production"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _campaign(recipients: int, port: int, rate: int, name: str):
    from django.utils import timezone

    from hygie.awareness.models import Campaign, LandingPage, MailTemplate, SendingProfile
    from hygie.awareness.services import campaigns
    from hygie.core.models import Department, Establishment, Organisation, Person

    establishment = Establishment.objects.first()
    if establishment is None:
        organisation = Organisation.objects.create(name="GHT Bench", kind="ght")
        establishment = Establishment.objects.create(
            organisation=organisation, name="CH Bench", kind="ch", finess_eg="010000024"
        )
        departments = [
            Department.objects.create(establishment=establishment, name=f"Service {n}")
            for n in range(20)
        ]
        Person.objects.bulk_create(
            Person(
                establishment=establishment,
                department=departments[n % 20],
                first_name=f"Prénom{n}",
                last_name=f"Nom{n}",
                email=f"agent{n:05d}@bench.example.org",
                profession=("Infirmier", "Médecin", "Aide-soignant", "Secrétaire")[n % 4],
            )
            for n in range(recipients)
        )
    profile = SendingProfile.objects.create(
        establishment=establishment,
        name=f"Sink {name}",
        host="127.0.0.1",
        port=port,
        security="none",
        envelope_from="simulation@bench.example.org",
        header_from="Service RH <rh@bench.example.org>",
        rate_per_minute=rate,
    )
    template = MailTemplate.objects.create(
        establishment=establishment,
        name=f"Bulletin {name}",
        language="fr",
        subject="Votre bulletin de paie est disponible",
        sender_name="Service RH",
        html=(
            "<p>Bonjour {{ first_name }},</p><p>Votre bulletin de paie du service "
            '{{ department }} est disponible.</p><p><a href="{{ tracking_link }}">Consulter</a>'
            "</p>{{ tracking_pixel }}"
        ),
        text="Bonjour {{ first_name }}, votre bulletin : {{ tracking_link }}",
        clues=[{"title": "Un lien externe", "explanation": "Le bulletin est dans l'intranet."}],
    )
    landing = LandingPage.objects.create(
        establishment=establishment,
        name=f"Portail RH {name}",
        language="fr",
        html=(
            "<h1>Portail RH</h1><form><label>Identifiant <input name='username'></label>"
            "<label>Mot de passe <input type='password' name='password'></label>"
            "<button>Connexion</button></form>"
        ),
    )
    now = timezone.now()
    campaign = Campaign.objects.create(
        establishment=establishment,
        name=name,
        sending_profile=profile,
        template_a=template,
        landing_page=landing,
        window_start=now - timedelta(minutes=5),
        window_end=now + timedelta(days=2),
        working_hours_start=clock_time(0, 0),
        working_hours_end=clock_time(23, 59, 59),
        working_days=[0, 1, 2, 3, 4, 5, 6],
        time_zone="UTC",
    )
    people = Person.objects.filter(establishment=establishment).order_by("email")[:recipients]
    campaigns.add_recipients(campaign, campaigns.targets_from_people(people), None)
    started = time.perf_counter()
    campaign = campaigns.launch(campaign, None, start_sending=False)
    plan_seconds = time.perf_counter() - started
    # Everything due now: the bench measures the sending, not the waiting for planned times.
    campaign.recipients.update(scheduled_at=now - timedelta(minutes=1))
    return campaign, plan_seconds


def _send(campaign, limit: int | None = None) -> tuple[int, float]:
    from hygie.awareness.services import sending

    if limit is not None:  # only the first ``limit`` recipients are due
        keep = list(campaign.recipients.order_by("email").values_list("pk", flat=True)[:limit])
        campaign.recipients.exclude(pk__in=keep).update(scheduled_at=None)
    started = time.perf_counter()
    report = sending.send_campaign(campaign, budget=3600)
    return report.sent, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=5000)
    parser.add_argument("--rate", type=int, default=1200, help="configured mails per minute")
    parser.add_argument("--rated", type=int, default=400, help="mails sent at --rate")
    parser.add_argument("--seconds", type=float, default=20.0, help="tracking load duration")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="hygie-bench-awareness-"))
    home = work / "home"
    smtp_port = _free_port()
    sink = subprocess.Popen(
        [sys.executable, str(HERE / "smtp_sink.py"), str(smtp_port), str(work / "sink.json")]
    )
    try:
        _wait_port(smtp_port)
        _setup(home)
        print(f"Awareness bench — {args.recipients} recipients, sink on 127.0.0.1:{smtp_port}")
        print(f"load average: {os.getloadavg()[0]:.2f} (other work slows every figure)")

        campaign, plan_seconds = _campaign(args.recipients, smtp_port, 0, "Unthrottled")
        sent, seconds = _send(campaign)
        print(f"plan (engine.schedule) for {args.recipients} recipients: {plan_seconds:.2f} s")
        print(
            f"sending, unthrottled: {sent} mails in {seconds:.1f} s = {sent / seconds:.0f} mails/s"
        )
        rated, _plan = _campaign(args.recipients, smtp_port, args.rate, "Rated")
        sent_r, seconds_r = _send(rated, args.rated)
        achieved = 60 * (sent_r - 1) / seconds_r if sent_r > 1 and seconds_r else 0
        print(
            f"sending at {args.rate} mails/min: {sent_r} mails in {seconds_r:.1f} s = "
            f"{sent_r / seconds_r:.1f} mails/s, achieved {achieved:.0f} mails/min "
            f"({100 * achieved / args.rate:.0f} % of the configured rate, never above it)"
        )

        tokens = list(campaign.recipients.values_list("token", flat=True))
        from django.db import connections

        connections.close_all()
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HYGIE_", "DJANGO_"))}
        env.update(HYGIE_HOME=str(home), PYTHONPATH=str(REPO))
        log = (work / "serve.log").open("w")
        server = subprocess.Popen(
            [sys.executable, "-m", "hygie.cli", "serve", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_port(port)
            _settle(f"http://127.0.0.1:{port}", tokens[0])
            tokens_file = work / "tokens.json"
            tokens_file.write_text(json.dumps(tokens))
            result = subprocess.run(
                [
                    sys.executable,
                    str(HERE / "load.py"),
                    f"http://127.0.0.1:{port}",
                    str(tokens_file),
                    str(args.seconds),
                    str(args.concurrency),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode or result.stderr.strip():
                print(result.stderr[-2000:], file=sys.stderr)
            figures = json.loads(result.stdout)
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
        print(
            f"tracking endpoints, {args.concurrency} connections for {args.seconds:.0f} s "
            "(load from a second process, server: hygie serve / waitress):"
        )
        for name, row in figures.items():
            print(
                f"  {name:<14} {row['requests']:>6} requests, {row['rps']:>7.1f} req/s, "
                f"p50 {row['p50_ms']:.1f} ms, p95 {row['p95_ms']:.1f} ms, p99 "
                f"{row['p99_ms']:.1f} ms, errors {row['errors']}"
            )
        from hygie.awareness.models import CampaignEvent

        stored = CampaignEvent.objects.filter(recipient__campaign=campaign).exclude(kind="sent")
        print(f"events stored by the tracking endpoints: {stored.count()}")
    finally:
        sink.terminate()
        sink.wait(timeout=10)
    received = json.loads((work / "sink.json").read_text()) if (work / "sink.json").exists() else {}
    print(f"SMTP sink received: {received.get('messages', '?')} mails")


if __name__ == "__main__":
    main()
