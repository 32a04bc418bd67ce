"""The devices module's background jobs (discovered by the core job service).

* ``devices.reopen_acceptances`` (daily): a risk accepted until a past date is open again.
* ``devices.feed_refresh`` (daily, **off by default**): download the CISA KEV catalogue and
  the FIRST EPSS scores and import them. Hospitals are often air-gapped: nothing is downloaded
  unless the operator names the URLs in the ``HYGIE_DEVICES_FEED_URLS`` setting
  (``{"kev": "https://…", "epss": "https://…"}``), and every address the names resolve to is
  checked against the outbound destination policy (``hygie.lib.destinations``) first.
"""

from __future__ import annotations

import gzip
import socket
import urllib.parse
import urllib.request
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core.services.jobs import JobRun, register_job
from hygie.core.services.scheduler import register_periodic
from hygie.devices import jobs_discovery  # noqa: F401  (registers devices.discover)
from hygie.devices.services import feeds, vulnerabilities
from hygie.lib.destinations import parse_networks, refusal

REOPEN_JOB_KIND = "devices.reopen_acceptances"
REFRESH_JOB_KIND = "devices.feed_refresh"
DOWNLOAD_TIMEOUT = 60
MAX_DOWNLOAD = feeds.MAX_FEED_BYTES


@register_job(
    REOPEN_JOB_KIND,
    gettext_lazy("Expired risk acceptances on devices reopened"),
    {"reopened": gettext_lazy("Reopened")},
)
def reopen_acceptances(run: JobRun) -> dict[str, Any]:
    count = vulnerabilities.reopen_expired_acceptances()
    run.progress(1, 1, _("%(count)s decision(s) reopened") % {"count": count})
    return {"reopened": count}


def feed_urls() -> dict[str, str]:
    configured = getattr(settings, "HYGIE_DEVICES_FEED_URLS", None) or {}
    return {
        kind: str(url)
        for kind, url in dict(configured).items()
        if kind in {"kev", "epss"} and str(url).startswith("https://")
    }


def check_destination(url: str) -> None:
    """Refuse a URL whose host resolves to an address the outbound policy denies."""
    host = urllib.parse.urlsplit(url).hostname or ""
    allowed = parse_networks(getattr(settings, "HYGIE_FORWARDING_ALLOWED_NETWORKS", []) or [])
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, 443)}
    except OSError:
        raise ValidationError(_("The feed host could not be resolved.")) from None
    for address in addresses:
        refused = refusal(str(address), allowed)
        if refused is not None:
            raise ValidationError(
                _("The feed host is refused by the outbound policy (%(kind)s).")
                % {"kind": refused.kind}
            )


def download(url: str) -> bytes:
    check_destination(url)
    request = urllib.request.Request(url, headers={"User-Agent": "Hygie"})  # noqa: S310  (https only)
    with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT) as response:  # noqa: S310
        data: bytes = response.read(MAX_DOWNLOAD + 1)
    if len(data) > MAX_DOWNLOAD:
        raise ValidationError(_("The downloaded feed is too large."))
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)[: MAX_DOWNLOAD + 1]
    return data


@register_job(
    REFRESH_JOB_KIND,
    gettext_lazy("KEV and EPSS feeds downloaded"),
    {"imported": gettext_lazy("Feeds imported"), "skipped": gettext_lazy("Not configured")},
)
def refresh_feeds(run: JobRun) -> dict[str, Any]:
    urls = feed_urls()
    if not urls:
        run.progress(1, 1, _("No feed URL configured: nothing downloaded (offline mode)"))
        return {"imported": 0, "skipped": 1}
    imported = 0
    for index, (kind, url) in enumerate(sorted(urls.items()), start=1):
        name = urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1]
        feeds.import_feed(kind, name, download(url))
        imported += 1
        run.progress(index, len(urls), _("%(kind)s imported") % {"kind": kind.upper()})
    return {"imported": imported, "skipped": 0}


register_periodic(REOPEN_JOB_KIND, timedelta(days=1))
register_periodic(REFRESH_JOB_KIND, timedelta(days=1))
