"""Fuzz targets of the awareness engine: GoPhish JSON import, template rendering, lure files,
reported-mail analysis."""

from __future__ import annotations

import json

from .target import Loaded, Seed, Target, package_files, text

_AWARENESS = ("hygie.awareness", "hygie.lib")


def _gophish() -> Loaded:
    from hygie.awareness.engine import AwarenessError, parse_gophish, render_mail

    def parse_and_render(data: bytes) -> object:
        """What imports must also render: a template accepted here is sent to people."""
        result = parse_gophish(data, "fuzz.json")
        for template in result.templates:
            render_mail(template, {"first_name": "<b>"}, "https://sim.example", "A" * 24)
        return result

    return parse_and_render, (AwarenessError,)


def _template() -> Loaded:
    from hygie.awareness.engine import AwarenessError, MailTemplate, render_mail

    def render(data: bytes) -> object:
        """The whole input is subject, HTML and text at once; values are hostile too."""
        body = text(data)
        template = MailTemplate("fuzz", body[:500], body, body)
        return render_mail(template, {"first_name": body[:50]}, "https://sim.example", "A" * 24)

    return render, (AwarenessError,)


def _lure() -> Loaded:
    from hygie.awareness.engine import AwarenessError, parse_lure

    return (lambda data: parse_lure(data, "fuzz.yaml")), (AwarenessError,)


def _gophish_seeds() -> list[Seed]:
    template = {
        "id": 1,
        "name": "Reset",
        "subject": "Hi {{.FirstName}}",
        "text": "{{.URL}}",
        "html": '<a href="{{.URL}}">x</a>{{.Tracker}}',
        "attachments": [],
    }
    page = {"id": 2, "name": "P", "html": "<form></form>", "capture_credentials": True}
    return [
        ("list.json", json.dumps([template, page]).encode()),
        ("grouped.json", json.dumps({"templates": [template], "pages": [page]}).encode()),
    ]


def _template_seeds() -> list[Seed]:
    return [
        (
            "vars.html",
            b'<p>{{ first_name }}</p><a href="https://x.example/a">{{ tracking_link }}</a>',
        ),
        ("gophish.html", b"{{.FirstName}} {{.URL}} {{.Tracker}} {{ 7*7 }}"),
    ]


def _report() -> Loaded:
    from hygie.awareness.engine.report import ReportError, analyse

    def run(data: bytes) -> object:
        """A reported mail is hostile: any bytes analyse or are refused with a code."""
        result = analyse(data, ("chu-exemple.fr",), known_tokens={"A" * 24})
        result.as_dict()
        return result.observables()

    return run, (ReportError,)


def _report_seeds() -> list[Seed]:
    inner = (
        b"From: =?utf-8?b?U2VydmljZSBJVA==?= <it@chu-exernple.fr>\r\nSubject: Mot de passe\r\n"
        b"Date: Mon, 2 Mar 2026 09:00:00 +0100\r\nMessage-ID: <1@x>\r\n"
        b"Authentication-Results: mx; spf=fail; dmarc=fail\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\nContent-Type: text/html'
        b'\r\n\r\n<a href="https://login.chu-exernple.fr/t/c/AAAAAAAAAAAAAAAAAAAAAAAA">'
        b"intranet.chu-exemple.fr</a>\r\n--B\r\nContent-Disposition: attachment; "
        b'filename="f.docm"\r\nContent-Transfer-Encoding: base64\r\n\r\nUEsDBA==\r\n--B--\r\n'
    )
    outer = (
        b"From: marie@chu-exemple.fr\r\nSubject: TR\r\nDate: Mon, 2 Mar 2026 09:05:00 +0100"
        b'\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="O"\r\n\r\n--O\r\n'
        b"Content-Type: message/rfc822\r\n\r\n" + inner + b"\r\n--O--\r\n"
    )
    return [("lure.eml", inner), ("forwarded.eml", outer)]


TARGETS = (
    Target(
        "awareness_gophish",
        "parse_gophish + render_mail: GoPhish template and landing-page JSON",
        _gophish,
        _AWARENESS,
        _gophish_seeds,
    ),
    Target(
        "awareness_template",
        "render_mail: untrusted mail templates (HTML, text, subject)",
        _template,
        _AWARENESS,
        _template_seeds,
    ),
    Target(
        "awareness_lures",
        "parse_lure: lure library YAML",
        _lure,
        _AWARENESS,
        lambda: package_files("hygie/awareness/library", "*.yaml"),
    ),
    Target(
        "awareness_report",
        "analyse: reported mails (forwarded as attachment, MIME, headers, attachments)",
        _report,
        _AWARENESS,
        _report_seeds,
    ),
)
