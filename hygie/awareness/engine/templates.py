"""Mail templates and landing pages: a tiny safe substitution, link rewriting, form policy.

Templates come from trainers and from GoPhish exports, so they are untrusted text: no template
language that runs code (no Django, no Jinja), only ``{{ name }}`` placeholders from a fixed
list of variables. Values are HTML-escaped in HTML and left as text in text bodies. GoPhish's
``{{.FirstName}}`` spelling is accepted so imported templates render unchanged.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote

from .errors import AwarenessError

MAX_TEMPLATE_CHARS = 512 * 1024
VARIABLES = frozenset(
    {
        "first_name",
        "last_name",
        "email",
        "department",
        "establishment",
        "tracking_link",
        "tracking_pixel",
        "sender_name",
        "date",
    }
)
# GoPhish names (see its template reference) mapped onto ours.
GOPHISH_NAMES = {
    "FirstName": "first_name",
    "LastName": "last_name",
    "Email": "email",
    "Position": "department",
    "URL": "tracking_link",
    "Tracker": "tracking_pixel",
    "TrackingURL": "tracking_link",
    "From": "sender_name",
    "RId": "",
    "BaseURL": "",
}
_PLACEHOLDER = re.compile(r"\{\{\s*(\.?)([A-Za-z_][A-Za-z0-9_]{0,40})\s*\}\}")
_HREF = re.compile(r"""(?i)(\bhref\s*=\s*)(["'])(https?://[^"'<>\s]{1,2000})\2""")


@dataclass(frozen=True)
class MailTemplate:
    name: str
    subject: str
    html: str = ""
    text: str = ""
    sender_name: str = ""
    envelope_sender: str = ""


@dataclass(frozen=True)
class LandingPage:
    name: str
    html: str
    capture_submissions: bool = True
    redirect_url: str = ""


@dataclass(frozen=True)
class Rendered:
    subject: str
    html: str
    text: str


def placeholders(text: str) -> frozenset[str]:
    """The variables a template uses (GoPhish names translated); unknown ones raise."""
    used = set()
    for match in _PLACEHOLDER.finditer(text):
        used.add(_variable(match))
    return frozenset(used)


def _variable(match: re.Match[str]) -> str:
    dotted, name = match.group(1), match.group(2)
    if dotted:
        if name not in GOPHISH_NAMES:
            raise AwarenessError(f"unknown GoPhish variable '{name}'")
        return GOPHISH_NAMES[name]
    if name not in VARIABLES:
        raise AwarenessError(f"unknown variable '{name}'")
    return name


def render_text(template: str, values: Mapping[str, str], *, as_html: bool) -> str:
    """Substitute placeholders; in HTML, values are escaped (``tracking_pixel`` is our own
    markup and goes in as is). A missing value renders empty; an unknown name raises."""
    if len(template) > MAX_TEMPLATE_CHARS:
        raise AwarenessError("the template is too long")

    def replace(match: re.Match[str]) -> str:
        name = _variable(match)
        if not name:
            return ""
        if name == "tracking_pixel":
            return values.get(name, "") if as_html else ""
        value = values.get(name, "")
        return html.escape(value, quote=True) if as_html else value

    return _PLACEHOLDER.sub(replace, template)


def tracking_pixel(url: str) -> str:
    return f'<img src="{html.escape(url, quote=True)}" width="1" height="1" alt="">'


def rewrite_links(markup: str, tracking_link: str) -> tuple[str, int]:
    """Point every absolute link of an HTML body to the tracking link (which redirects to the
    landing page); returns the new markup and how many links were rewritten."""
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return f"{match.group(1)}{match.group(2)}{html.escape(tracking_link, quote=True)}" + (
            match.group(2)
        )

    return _HREF.sub(replace, markup), count


def render_mail(
    template: MailTemplate, values: Mapping[str, str], tracking_base: str, token: str
) -> Rendered:
    """The subject, HTML and text a recipient receives, with links and pixel pointing to their
    token. The subject is plain text (a header): newlines are removed."""
    link = f"{tracking_base.rstrip('/')}/c/{quote(token, safe='')}"
    merged = dict(values)
    merged["tracking_link"] = link
    merged["tracking_pixel"] = tracking_pixel(f"{tracking_base.rstrip('/')}/o/{quote(token)}")
    subject = " ".join(render_text(template.subject, merged, as_html=False).split())
    body = render_text(template.html, merged, as_html=True)
    body, _count = rewrite_links(body, link)
    text = render_text(template.text, merged, as_html=False)
    return Rendered(subject[:250], body, text)


# --- landing-form policy ---------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    """All that is kept of a landing-form post: that it happened and the field names.
    Values (passwords above all) are never kept, logged or returned."""

    field_names: tuple[str, ...] = ()
    had_password: bool = False
    extra: dict[str, int] = field(default_factory=dict)


_FIELD_NAME = re.compile(r"[^A-Za-z0-9_.\-\[\]]")
_PASSWORDISH = ("pass", "pwd", "mdp", "secret", "pin", "otp", "code")


def strip_submission(post: Mapping[str, object]) -> Submission:
    """Reduce a form post to its field names (sanitised, at most 50, 40 chars each)."""
    names: list[str] = []
    password = False
    for key in list(post.keys())[:50]:
        name = _FIELD_NAME.sub("", str(key))[:40]
        if not name or name in names or name.lower() in {"csrfmiddlewaretoken", "rid"}:
            continue
        names.append(name)
        password = password or any(p in name.lower() for p in _PASSWORDISH)
    return Submission(tuple(sorted(names)), password)
