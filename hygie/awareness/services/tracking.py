"""The public side of a phishing simulation: what happens when a recipient (or a mail scanner on
their behalf) opens the mail, follows its link, runs the landing page's confirmation script,
submits the landing form and reads the teachable moment.

Every request is judged by the engine's click classifier (``engine.classify_clicks``): its
machine signs (seconds after delivery, HEAD, scanner user agent or network, prefetch headers)
are stored on the event, and a recipient's click counts as *human* (``confirmed_at``) only when
the landing page's script confirmed it from a request without any. Only the source network
(/24 or /48) is kept, never the address. A landing form post is reduced by
``engine.strip_submission`` before anything else sees it: the field names and whether one looked
like a password, never a value.

Tokens are the recipients' capabilities: an unknown, malformed or inactive token is answered
like any other miss (no record, nothing that tells whether it exists).
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any

import nh3
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from hygie.awareness import engine
from hygie.awareness.models import (
    Campaign,
    CampaignEvent,
    CampaignRecipient,
    CampaignStatus,
    EventKind,
    LandingPage,
    MailTemplate,
    TrainingAssignment,
)
from hygie.awareness.models.training import AssignmentSource
from hygie.awareness.services import training
from hygie.core.services.mail import site_origin

logger = logging.getLogger(__name__)

# Where the tracking endpoints live (hygie/awareness/urls.py mounts them under /awareness/).
TRACKING_PATH = "/awareness/t"
# Campaigns whose links still record: a late click on a finished campaign is still a click.
RECORDING = (CampaignStatus.RUNNING, CampaignStatus.FINISHED)
# A recipient's link hit in a loop (a broken scanner, a reload storm) must not fill the database.
MAX_EVENTS_PER_KIND = 50
# The confirmation script's proof: issued with the landing page, accepted for this long.
PROOF_SALT = "hygie.awareness.confirm"
PROOF_MAX_AGE = timedelta(hours=12)
# Request headers the classifier reads (prefetch and preview announcements).
PURPOSE_HEADERS = ("Purpose", "Sec-Purpose", "X-Purpose", "X-Moz")
# Signs judged per request; the rest (no JavaScript, link bursts) are judged per recipient.
_REQUEST_SIGNS = frozenset(
    {
        engine.Reason.FAST_AFTER_DELIVERY,
        engine.Reason.HEAD_REQUEST,
        engine.Reason.SCANNER_USER_AGENT,
        engine.Reason.SCANNER_NETWORK,
        engine.Reason.NO_USER_AGENT,
        engine.Reason.PREFETCH_HEADER,
    }
)
_CLICK_KINDS = (EventKind.CLICKED, EventKind.CONFIRMED)


def tracking_base() -> str:
    """The base ``engine.render_mail`` builds links from: ``<base>/c/<token>`` (click) and
    ``<base>/o/<token>`` (open pixel)."""
    return site_origin() + TRACKING_PATH


@cache
def scanner_knowledge() -> engine.ScannerKnowledge:
    """The shipped scanner knowledge base (``engine/scanners.yaml``), read once."""
    text = files("hygie.awareness.engine").joinpath("scanners.yaml").read_text(encoding="utf-8")
    return engine.load_scanner_knowledge(text, "hygie/awareness/engine/scanners.yaml")


def source_network(address: str | None) -> str:
    """The /24 (IPv4) or /48 (IPv6) an address belongs to: enough to recognise a scanner's
    network, not enough to name a workstation."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return ""
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


@dataclass(frozen=True)
class RequestFacts:
    """What the classifier needs from one request (the view reads it from the request)."""

    method: str
    user_agent: str = ""
    address: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    at: datetime | None = None

    def interaction(self, js_confirmed: bool = False) -> engine.Interaction:
        return engine.Interaction(
            at=self.at or timezone.now(),
            method=self.method,
            user_agent=self.user_agent,
            source_ip=self.address,
            js_confirmed=js_confirmed,
            headers=dict(self.headers),
        )


def request_signs(
    facts: RequestFacts, delivered_at: datetime | None, *, js_confirmed: bool = False
) -> list[str]:
    """The machine signs of one request (stable engine ``Reason`` codes)."""
    verdict = engine.classify_clicks(
        [facts.interaction(js_confirmed)], scanner_knowledge(), delivered_at
    )
    return [str(reason) for reason in verdict.reasons if reason in _REQUEST_SIGNS]


def interaction_of(event: CampaignEvent) -> engine.Interaction:
    """A stored click or confirmation as the classifier's input again. Only the network was
    kept: its first address stands for the source (scanner ranges are /24 or wider), and a
    prefetch announcement is replayed from the stored reason."""
    network = event.source_network
    address = network.split("/", 1)[0] if network else ""
    headers = {"Purpose": "prefetch"} if "prefetch_header" in (event.reasons or []) else {}
    return engine.Interaction(
        at=event.at,
        method=event.method or "GET",
        user_agent=event.user_agent,
        source_ip=address,
        js_confirmed=event.kind == EventKind.CONFIRMED,
        headers=headers,
    )


def recipient_verdict(
    recipient: CampaignRecipient, events: Sequence[CampaignEvent]
) -> engine.ClickVerdict | None:
    """The engine's verdict on a recipient's clicks (None when nothing was clicked)."""
    interactions = [interaction_of(e) for e in events if e.kind in _CLICK_KINDS]
    if not interactions:
        return None
    return engine.classify_clicks(interactions, scanner_knowledge(), recipient.sent_at)


# --- finding a recipient ------------------------------------------------------------------------


def find_recipient(token: str) -> CampaignRecipient | None:
    """The recipient behind a token of a campaign that records, or None (malformed, unknown,
    draft or cancelled campaign): the caller answers every None the same way."""
    if not engine.is_valid_token(token):
        return None
    return (
        CampaignRecipient.objects.select_related(
            "campaign",
            "campaign__template_a",
            "campaign__template_b",
            "campaign__landing_page",
            "campaign__establishment",
            "establishment",
            "person",
        )
        .filter(token=token, campaign__status__in=RECORDING)
        .first()
    )


def _find_for_open(token: str) -> CampaignRecipient | None:
    """``find_recipient`` without the related rows: the pixel, the most requested endpoint,
    needs only the recipient (its delivery time), not the templates and landing page."""
    if not engine.is_valid_token(token):
        return None
    return CampaignRecipient.objects.filter(token=token, campaign__status__in=RECORDING).first()


def _event(
    recipient: CampaignRecipient,
    kind: str,
    facts: RequestFacts,
    signs: Sequence[str],
    field_names: Sequence[str] = (),
) -> CampaignEvent | None:
    if CampaignEvent.objects.filter(recipient=recipient, kind=kind).count() >= MAX_EVENTS_PER_KIND:
        return None
    return CampaignEvent.objects.create(
        establishment_id=recipient.establishment_id,
        recipient=recipient,
        kind=kind,
        at=facts.at or timezone.now(),
        is_automated=bool(signs),
        reasons=list(signs),
        method=facts.method if facts.method in {"GET", "HEAD", "POST"} else "OTHER",
        user_agent=facts.user_agent[:300],
        source_network=source_network(facts.address),
        field_names=list(field_names),
    )


def _first(recipient: CampaignRecipient, column: str, at: datetime) -> None:
    """Set a ``first_*_at`` column once (a concurrent request cannot move it later)."""
    updated = CampaignRecipient.objects.filter(pk=recipient.pk, **{f"{column}__isnull": True})
    if updated.update(**{column: at}):
        setattr(recipient, column, at)


# --- the events ----------------------------------------------------------------------------------


def record_open(token: str, facts: RequestFacts) -> None:
    """The tracking pixel was fetched (by the recipient's mail client, or an image proxy)."""
    recipient = _find_for_open(token)
    if recipient is None:
        return
    at = facts.at or timezone.now()
    facts = RequestFacts(facts.method, facts.user_agent, facts.address, facts.headers, at)
    with transaction.atomic():
        _event(recipient, EventKind.OPENED, facts, request_signs(facts, recipient.sent_at))
        _first(recipient, "first_opened_at", at)


def record_click(token: str, facts: RequestFacts) -> CampaignRecipient | None:
    """The mail's link was requested: a raw click (GoPhish's figure), human or not. Its machine
    signs are stored; it becomes a human click only through ``confirm_click``."""
    recipient = find_recipient(token)
    if recipient is None:
        return None
    at = facts.at or timezone.now()
    facts = RequestFacts(facts.method, facts.user_agent, facts.address, facts.headers, at)
    with transaction.atomic():
        _event(recipient, EventKind.CLICKED, facts, request_signs(facts, recipient.sent_at))
        _first(recipient, "first_clicked_at", at)
    return recipient


def confirmation_proof(recipient: CampaignRecipient) -> str:
    """What the landing page hands its script: a signed, timed proof that this page was served
    for this token (a scanner cannot confirm a page it did not fetch)."""
    return signing.TimestampSigner(salt=PROOF_SALT).sign(recipient.token)


def _proof_matches(proof: str, token: str) -> bool:
    try:
        value = signing.TimestampSigner(salt=PROOF_SALT).unsign(proof[:200], max_age=PROOF_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        return False
    return value == token


def confirm_click(token: str, facts: RequestFacts, proof: str) -> bool:
    """The landing page's script ran in a browser after a real user interaction: judge the
    recipient's clicks again; a confirmation without machine signs makes the click human.
    Returns whether the token and proof were accepted (the answer is the same either way)."""
    if not _proof_matches(proof, token):
        return False
    recipient = find_recipient(token)
    if recipient is None:
        return False
    at = facts.at or timezone.now()
    facts = RequestFacts(facts.method, facts.user_agent, facts.address, facts.headers, at)
    signs = request_signs(facts, recipient.sent_at, js_confirmed=True)
    with transaction.atomic():
        _event(recipient, EventKind.CONFIRMED, facts, signs)
        if not signs:
            _first(recipient, "first_clicked_at", at)
            _first(recipient, "confirmed_at", at)
            enrol(recipient)
    return True


@dataclass(frozen=True)
class SubmissionOutcome:
    recipient: CampaignRecipient
    field_names: tuple[str, ...]
    had_password: bool


def record_submission(
    token: str, post: Mapping[str, object], facts: RequestFacts
) -> SubmissionOutcome | None:
    """The landing form was posted. ``engine.strip_submission`` runs first and is all that
    sees the post: the field names and whether one looked like a password are kept, never a
    value."""
    submission = engine.strip_submission(post)
    del post  # nothing below may reach a value
    recipient = find_recipient(token)
    if recipient is None:
        return None
    at = facts.at or timezone.now()
    facts = RequestFacts("POST", facts.user_agent, facts.address, facts.headers, at)
    signs = request_signs(facts, recipient.sent_at)
    with transaction.atomic():
        _event(recipient, EventKind.SUBMITTED, facts, signs, submission.field_names)
        _first(recipient, "submitted_at", at)
        if not signs:
            enrol(recipient)
    return SubmissionOutcome(recipient, submission.field_names, submission.had_password)


def record_teachable_view(recipient: CampaignRecipient, facts: RequestFacts) -> None:
    at = facts.at or timezone.now()
    facts = RequestFacts(facts.method, facts.user_agent, facts.address, facts.headers, at)
    _event(recipient, EventKind.TEACHABLE_VIEWED, facts, request_signs(facts, recipient.sent_at))


# --- training after a simulation ------------------------------------------------------------------


def enrol(recipient: CampaignRecipient) -> TrainingAssignment | None:
    """Assign the campaign's training module to a recipient who clicked (once per campaign,
    through the training service; recipients outside the people directory, from a CSV, cannot
    be assigned)."""
    campaign: Campaign = recipient.campaign
    module = campaign.enrol_module
    if module is None or recipient.person is None:
        return None
    with transaction.atomic():
        # One enrolment per recipient, whichever of the confirmation and the submission
        # arrives first (row lock on PostgreSQL; SQLite serialises writers).
        CampaignRecipient.objects.select_for_update().filter(pk=recipient.pk).first()
        if CampaignEvent.objects.filter(recipient=recipient, kind=EventKind.ENROLLED).exists():
            return None
        report = training.assign(
            module.slug, [recipient.person], source=AssignmentSource.CAMPAIGN, due_at=None
        )
        if not report.created and not report.already_assigned:
            return None  # the module no longer exists in the person's language
        CampaignEvent.objects.create(
            establishment_id=recipient.establishment_id,
            recipient=recipient,
            kind=EventKind.ENROLLED,
            at=timezone.now(),
        )
    return report.created[0] if report.created else assignment_of(recipient)


def assignment_of(recipient: CampaignRecipient) -> TrainingAssignment | None:
    """The open training assignment the campaign gave this recipient, if any."""
    module = recipient.campaign.enrol_module
    if module is None or recipient.person_id is None:
        return None
    return (
        TrainingAssignment.objects.filter(
            person_id=recipient.person_id,
            module__slug=module.slug,
            token_expires_at__gt=timezone.now(),
        )
        .order_by(F("completed_at").asc(nulls_first=True), "-created_at")
        .first()
    )


# --- what the pages show ------------------------------------------------------------------------


def template_of(recipient: CampaignRecipient) -> MailTemplate:
    """The template this recipient received (A/B variant)."""
    campaign = recipient.campaign
    if recipient.variant == "b" and campaign.template_b_id is not None:
        return campaign.template_b  # type: ignore[return-value]
    return campaign.template_a


_LANDING_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "button", "caption", "div", "em", "fieldset",
        "footer", "form", "h1", "h2", "h3", "h4", "header", "hr", "i", "img", "input", "label",
        "legend", "li", "main", "ol", "option", "p", "section", "select", "small", "span",
        "strong", "table", "tbody", "td", "textarea", "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip
_LANDING_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "input": {"type", "name", "placeholder", "maxlength", "size", "required", "checked"},
    "button": {"type", "name"},
    "label": {"for"},
    "select": {"name", "required"},
    "option": {"value", "selected"},
    "textarea": {"name", "placeholder", "rows", "cols", "required"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
_ACTION_PLACEHOLDER = "hygie-landing-form-action"


def _landing_attribute(element: str, attribute: str, value: str) -> str | None:
    if element == "a" and attribute == "href":
        return "#"  # a landing page links nowhere: the lure's links would leave Hygie
    if element == "img" and attribute == "src":
        return value if value.startswith("data:image/") else None
    return value


@lru_cache(maxsize=128)
def _sanitised(markup: str) -> str:
    return nh3.clean(
        markup,
        tags=set(_LANDING_TAGS),
        clean_content_tags={"script", "style", "iframe", "object", "embed", "template"},
        attributes={key: set(value) for key, value in _LANDING_ATTRIBUTES.items()},
        attribute_filter=_landing_attribute,
        url_schemes={"data"},
        set_tag_attribute_values={
            "form": {"method": "post", "action": _ACTION_PLACEHOLDER},
            # A browser must not offer to save what is typed here.
            "input": {"autocomplete": "off"},
        },
        link_rel="noopener noreferrer",
    )


def landing_markup(recipient: CampaignRecipient, page: LandingPage, submit_url: str) -> str:
    """The landing page's HTML for this recipient, safe to serve from Hygie's origin: no
    script, style, frame or event handler; links go nowhere; every form posts to
    ``submit_url`` (nothing typed can leave for another site); placeholders filled."""
    markup = page.html
    try:
        if engine.placeholders(markup):
            markup = engine.render_text(markup, recipient_values(recipient), as_html=True)
    except engine.AwarenessError:
        pass  # an unknown placeholder stays text: the page is still shown
    return _sanitised(markup).replace(_ACTION_PLACEHOLDER, submit_url)


def has_form(page: LandingPage) -> bool:
    return "<form" in _sanitised(page.html)


def recipient_values(recipient: CampaignRecipient) -> dict[str, str]:
    return {
        "first_name": recipient.first_name,
        "last_name": recipient.last_name,
        "email": recipient.email,
        "department": recipient.department_name,
        "establishment": recipient.establishment.name,
        "date": timezone.localdate().isoformat(),
    }


def subject_for(recipient: CampaignRecipient, template: MailTemplate) -> str:
    """The subject line as the recipient received it."""
    try:
        text = engine.render_text(template.subject, recipient_values(recipient), as_html=False)
    except engine.AwarenessError:
        text = template.subject
    return " ".join(text.split())[:250]


@dataclass(frozen=True)
class ClueView:
    title: str
    explanation: str


def clues_for(recipient: CampaignRecipient) -> list[ClueView]:
    """The red flags of the very mail this recipient received, in their language when the same
    lure exists in it (the library ships every lure in French and English)."""
    template = template_of(recipient)
    clues: Any = template.clues
    if template.language != recipient.language and template.lure_id:
        sibling = (
            MailTemplate.objects.filter(
                lure_id=template.lure_id, language=recipient.language, version=template.version
            )
            .filter(establishment__isnull=True)
            .only("clues")
            .first()
        )
        if sibling is not None and sibling.clues:
            clues = sibling.clues
    result = []
    for clue in clues or []:
        if isinstance(clue, Mapping) and clue.get("title"):
            result.append(ClueView(str(clue["title"]), str(clue.get("explanation", ""))))
    return result


def training_link(assignment: TrainingAssignment | None) -> str:
    """The personal link to the assigned training (the training pages' URL name)."""
    if assignment is None:
        return ""
    try:
        return reverse("awareness:training_take", args=[assignment.token])
    except NoReverseMatch:  # the training pages are not installed
        return ""


def tracking_urls(token: str) -> dict[str, str]:
    return {
        name: reverse(f"awareness:track_{name}", args=[token])
        for name in ("click", "confirm", "submit", "learn")
    }
