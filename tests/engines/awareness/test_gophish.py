"""GoPhish JSON import (format from GoPhish's API documentation)."""

from __future__ import annotations

import json

import pytest

from hygie.awareness.engine import AwarenessError, parse_gophish, render_mail

TEMPLATE = {
    "id": 1,
    "name": "Password reset",
    "subject": "Reset for {{.FirstName}}",
    "text": "Click {{.URL}}",
    "html": '<p>Hi {{.FirstName}}</p><a href="{{.URL}}">reset</a>{{.Tracker}}',
    "modified_date": "2024-01-02T10:00:00Z",
    "attachments": [{"content": "aGk=", "type": "text/plain", "name": "a.txt"}],
}
PAGE = {
    "id": 2,
    "name": "Login",
    "html": "<form method=post><input name=password></form>",
    "capture_credentials": True,
    "capture_passwords": True,
    "redirect_url": "https://intranet.example.org",
}


def test_list_export_imports_templates_and_pages() -> None:
    result = parse_gophish(json.dumps([TEMPLATE, PAGE]))
    assert [t.name for t in result.templates] == ["Password reset"]
    assert [p.name for p in result.pages] == ["Login"]
    assert result.skipped_attachments == 1 and result.problems == ()
    rendered = render_mail(
        result.templates[0], {"first_name": "Ana"}, "https://s.example", "t" * 24
    )
    assert rendered.subject == "Reset for Ana"
    assert "https://s.example/c/" + "t" * 24 in rendered.html
    assert "https://s.example/o/" in rendered.html


def test_grouped_export_and_located_problems() -> None:
    bad_template = dict(TEMPLATE, subject=None, name="No subject")
    bad_page = dict(PAGE, redirect_url="javascript:alert(1)")
    text = json.dumps({"templates": [TEMPLATE, bad_template], "pages": [bad_page]}, indent=1)
    result = parse_gophish(text, "export.json")
    assert len(result.templates) == 1 and result.pages == ()
    assert [p.message for p in result.problems] == [
        "'subject' is missing",
        "'redirect_url' must be an http(s) address",
    ]
    assert all(p.location.file == "export.json" and p.location.line for p in result.problems)


@pytest.mark.parametrize(
    "text",
    ["", "not json", "42", '{"a": 1, "a": 2}', "[" * 100 + "]" * 100, '{"templates": 3}', "{}"],
)
def test_hostile_or_empty_input_is_refused(text: str) -> None:
    with pytest.raises(AwarenessError):
        parse_gophish(text)


def test_unknown_gophish_variable_is_a_problem() -> None:
    with pytest.raises(AwarenessError, match="unknown GoPhish variable 'Evil'") as caught:
        parse_gophish(json.dumps(dict(TEMPLATE, html="{{.Evil}}")))
    assert caught.value.location is not None and caught.value.location.line
