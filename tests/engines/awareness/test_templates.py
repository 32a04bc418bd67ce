"""Safe rendering, link rewriting, landing-form policy, and every starter lure in FR and EN."""

from __future__ import annotations

from pathlib import Path

import pytest

from hygie.awareness.engine import (
    LANGUAGES,
    AwarenessError,
    LureError,
    MailTemplate,
    parse_lure,
    placeholders,
    render_mail,
    render_text,
    rewrite_links,
    strip_submission,
)

LIBRARY = Path(__file__).resolve().parents[3] / "hygie/awareness/library"
LURES = sorted(LIBRARY.glob("*.yaml"))
VALUES = {
    "first_name": "Camille",
    "last_name": "Exemple",
    "department": "Cardiologie",
    "establishment": "CH Exemple",
    "sender_name": "Dr Martin",
}


def test_values_are_escaped_in_html_not_in_text() -> None:
    evil = {"first_name": '<script>alert(1)</script>"'}
    assert render_text("Hi {{ first_name }}", evil, as_html=True) == (
        "Hi &lt;script&gt;alert(1)&lt;/script&gt;&quot;"
    )
    assert render_text("Hi {{first_name}}", evil, as_html=False) == 'Hi <script>alert(1)</script>"'


def test_no_code_runs_and_unknown_names_are_refused() -> None:
    with pytest.raises(AwarenessError, match="unknown variable"):
        render_text("{{ __class__ }}", {}, as_html=True)
    # anything that is not a bare name is left as text, not evaluated
    assert (
        render_text("{{ 7*7 }} {% for x in y %}", {}, as_html=True) == "{{ 7*7 }} {% for x in y %}"
    )


def test_gophish_variables_are_understood() -> None:
    assert placeholders("{{.FirstName}} {{.URL}} {{.Tracker}}") == {
        "first_name",
        "tracking_link",
        "tracking_pixel",
    }
    with pytest.raises(AwarenessError):
        placeholders("{{.Exec}}")


def test_render_mail_rewrites_links_and_adds_pixel() -> None:
    template = MailTemplate(
        "t",
        "Hello\r\nBcc: x@evil {{ first_name }}",
        "<a href=\"https://real.example.com/x\">a</a> <a href='http://b.example'>b</a>"
        "{{ tracking_pixel }}",
        "Go to {{ tracking_link }}",
    )
    rendered = render_mail(template, VALUES, "https://sim.example.org/", "TOKEN_abcdefghijklmnopq")
    assert "\n" not in rendered.subject and "\r" not in rendered.subject
    assert "real.example.com" not in rendered.html and "b.example" not in rendered.html
    assert rendered.html.count("https://sim.example.org/c/TOKEN_abcdefghijklmnopq") == 2
    assert '<img src="https://sim.example.org/o/TOKEN_abcdefghijklmnopq"' in rendered.html
    assert rendered.text == "Go to https://sim.example.org/c/TOKEN_abcdefghijklmnopq"
    assert rewrite_links('<a href="mailto:x@y">m</a>', "https://t")[1] == 0


def test_submission_keeps_field_names_never_values() -> None:
    secret = "S3cret-Passw0rd!"
    kept = strip_submission(
        {"username": "c.exemple", "password": secret, "csrfmiddlewaretoken": "x", "pin<>": "1234"}
    )
    assert kept.field_names == ("password", "pin", "username")
    assert kept.had_password
    assert secret not in repr(kept) and "c.exemple" not in repr(kept) and "1234" not in repr(kept)


@pytest.mark.parametrize("path", LURES, ids=lambda p: p.stem)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_lure_renders_with_all_variables(path: Path, language: str) -> None:
    lure = parse_lure(path.read_bytes(), path.name)
    version = lure.versions[language]
    rendered = render_mail(version.template, VALUES, "https://sim.example.org", "A" * 24)
    for body in (rendered.html, rendered.text):
        assert "{{" not in body and "}}" not in body
        assert "https://sim.example.org/c/" + "A" * 24 in body
    used = placeholders(version.template.html + version.template.text + version.template.subject)
    for name in used - {"tracking_link", "tracking_pixel"}:
        assert VALUES[name] in rendered.html + rendered.text + rendered.subject
    assert rendered.subject and version.template.sender_name and version.landing_title
    assert '<form method="post">' in version.landing.html
    assert len(version.clues) >= 2 and all(c.title and c.explanation for c in version.clues)


def test_the_library_has_the_eight_starter_lures() -> None:
    assert {p.stem for p in LURES} == {
        "lab-results",
        "ehr-password-expiry",
        "shift-schedule-change",
        "cps-card-renewal",
        "payslip",
        "insurer-notice",
        "shared-document",
        "department-parcel",
    }


def test_bad_lure_lists_every_problem_located() -> None:
    text = (LIBRARY / "payslip.yaml").read_text(encoding="utf-8")
    text = text.replace("difficulty: 2", "difficulty: 9").replace(
        "Hello {{ first_name }},\n      Your payslip", "Hello {{ nope }},\n      Your payslip"
    )
    text = text.replace("  en:\n    subject:", "  en:\n    colour: red\n    subject:")
    with pytest.raises(LureError) as caught:
        parse_lure(text, "payslip.yaml")
    messages = [message for message, _ in caught.value.problems]
    assert "'difficulty' must be 1 to 5" in messages
    assert "unknown variable 'nope'" in messages
    assert "unknown key 'colour'" in messages
    assert all(location.line for _, location in caught.value.problems)
