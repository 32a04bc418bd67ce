"""The public pages of a phishing simulation, reached without an account from the mail: the open
pixel, the tracked link (the landing page and its confirmation script), the landing form and the
teachable moment. The token in the path is the recipient's capability; an unknown one gets the
same answer as a malformed one.

No session, no cookie and no signed-in user is read or written here: these views act on the
token alone, which is why the two POST endpoints are CSRF-exempt (there is no ambient authority
a forged cross-site request could borrow; a forger would need the 144-bit token, and with it
could post directly). The landing form's values never reach a log or an error report:
``sensitive_post_parameters`` hides the whole post from Django's error reporting, and the view
hands the post to ``tracking.record_submission`` (which keeps field names only) before anything
else.
"""

from __future__ import annotations

import base64

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from hygie.awareness.models import CampaignRecipient
from hygie.awareness.services import tracking
from hygie.core.middleware import client_ip

# The smallest transparent GIF: what the open pixel always answers, token known or not.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
_ROBOTS = "noindex, nofollow, noarchive"


def _facts(request: HttpRequest) -> tracking.RequestFacts:
    headers = {
        name: request.headers[name] for name in tracking.PURPOSE_HEADERS if name in request.headers
    }
    return tracking.RequestFacts(
        method=request.method or "GET",
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        address=client_ip(request) or "",
        headers=headers,
    )


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = _ROBOTS
    response["Referrer-Policy"] = "no-referrer"
    return response


def _not_found(request: HttpRequest) -> HttpResponse:
    response = render(request, "awareness/public/not_found.html", status=404)
    return _private(response)


@never_cache
def track_open(request: HttpRequest, token: str) -> HttpResponse:
    """The open pixel: always the same image, whether the token exists or not."""
    if request.method not in {"GET", "HEAD"}:
        return HttpResponseNotAllowed(["GET", "HEAD"])
    tracking.record_open(token, _facts(request))
    return _private(HttpResponse(PIXEL, content_type="image/gif"))


@never_cache
def track_click(request: HttpRequest, token: str) -> HttpResponse:
    """The mail's link. Every request is recorded (a raw click) with its machine signs; a GET
    gets the landing page, whose script confirms a real browser. A HEAD (scanners check links
    that way) is recorded and answered without a body."""
    if request.method not in {"GET", "HEAD"}:
        return HttpResponseNotAllowed(["GET", "HEAD"])
    recipient = tracking.record_click(token, _facts(request))
    if recipient is None:
        return _not_found(request)
    if request.method == "HEAD":
        return _private(HttpResponse(content_type="text/html; charset=utf-8"))
    landing = recipient.campaign.landing_page
    if not tracking.has_form(landing):
        return _teachable(request, recipient, record=True)
    urls = tracking.tracking_urls(token)
    with translation.override(recipient.language):
        response = render(
            request,
            "awareness/public/landing.html",
            {
                "markup": tracking.landing_markup(recipient, landing, urls["submit"]),
                "title": landing.name,
                "language": recipient.language,
                "confirm_url": urls["confirm"],
                "proof": tracking.confirmation_proof(recipient),
            },
        )
    return _private(response)


@csrf_exempt
@never_cache
def track_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The landing page's script, after a real user interaction: the browser proof."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    tracking.confirm_click(token, _facts(request), str(request.POST.get("proof", "")))
    return _private(HttpResponse(status=204))


@csrf_exempt
@sensitive_post_parameters()
@sensitive_variables()
@never_cache
def track_submit(request: HttpRequest, token: str) -> HttpResponse:
    """The landing form: field names recorded, values dropped unread; then the teachable
    moment."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    outcome = tracking.record_submission(token, request.POST, _facts(request))
    if outcome is None:
        return _not_found(request)
    response = redirect("awareness:track_learn", token=token)
    response.status_code = 303  # the teachable moment is fetched with GET, never re-posted
    return _private(response)


@never_cache
def track_learn(request: HttpRequest, token: str) -> HttpResponse:
    """The teachable moment: what gave this very mail away, in the recipient's language."""
    if request.method not in {"GET", "HEAD"}:
        return HttpResponseNotAllowed(["GET", "HEAD"])
    recipient = tracking.find_recipient(token)
    if recipient is None:
        return _not_found(request)
    return _teachable(request, recipient, record=request.method == "GET")


def _teachable(request: HttpRequest, recipient: CampaignRecipient, *, record: bool) -> HttpResponse:
    if record:
        tracking.record_teachable_view(recipient, _facts(request))
    assignment = tracking.assignment_of(recipient)
    template = tracking.template_of(recipient)
    urls = tracking.tracking_urls(recipient.token)
    with translation.override(recipient.language):
        response = render(
            request,
            "awareness/public/learn.html",
            {
                "language": recipient.language,
                "clues": tracking.clues_for(recipient),
                "subject": tracking.subject_for(recipient, template),
                "sender_name": template.sender_name,
                "establishment": recipient.establishment.name,
                "submitted": recipient.submitted_at is not None,
                "assignment": assignment,
                "training_url": tracking.training_link(assignment),
                "confirm_url": urls["confirm"],
                "proof": tracking.confirmation_proof(recipient),
            },
        )
    return _private(response)
