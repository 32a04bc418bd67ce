"""The intel module's background jobs (discovered by the core job service).

* ``intel.poll_feeds`` (every 5 minutes): poll every active feed whose interval has elapsed.
* ``intel.poll_feed``: poll one feed now (the feed page's button, the API, the CLI).
* ``intel.indicator_ageing`` (daily): expired, revoked and aged-out indicators stop being
  matched; an indicator a source confirmed again is matched again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils.translation import gettext_lazy, gettext_noop

from hygie.core.services.jobs import JobRun, register_job
from hygie.core.services.scheduler import register_periodic
from hygie.intel.models import Feed
from hygie.intel.services import feeds, indicators

POLL_ALL_KIND = "intel.poll_feeds"
POLL_ONE_KIND = "intel.poll_feed"
AGEING_KIND = "intel.indicator_ageing"


@register_job(
    POLL_ALL_KIND,
    gettext_lazy("Threat-intelligence feeds polled"),
    {"polled": gettext_lazy("Feeds polled"), "failed": gettext_lazy("Failed")},
)
def poll_feeds(run: JobRun) -> dict[str, Any]:
    result = feeds.poll_due(
        progress=lambda done, total: run.progress(
            done,
            total,
            gettext_noop("%(done)s of %(total)s feed(s) polled"),
            {"done": done, "total": total},
        )
    )
    if not result["polled"] and not result["failed"]:
        run.progress(1, 1, gettext_noop("No feed was due"))
    return result


@register_job(
    POLL_ONE_KIND,
    gettext_lazy("Threat-intelligence feed polled"),
    {
        "read": gettext_lazy("Indicators read"),
        "created": gettext_lazy("New indicators"),
        "updated": gettext_lazy("Indicators updated"),
    },
)
def poll_feed(run: JobRun, feed_id: int) -> dict[str, Any]:
    feed = Feed.objects.select_related("partner", "establishment").get(pk=feed_id)
    run.progress(0, 1, gettext_noop("Polling %(name)s"), {"name": feed.name})
    result = feeds.poll(feed)
    run.progress(1, 1, gettext_noop("%(name)s polled"), {"name": feed.name})
    return {key: value for key, value in result.items() if isinstance(value, int)}


@register_job(
    AGEING_KIND,
    gettext_lazy("Indicators aged and expired"),
    {
        "deactivated": gettext_lazy("No longer matched"),
        "activated": gettext_lazy("Matched again"),
    },
)
def indicator_ageing(run: JobRun) -> dict[str, Any]:
    result = indicators.refresh_activity()
    run.progress(
        1,
        1,
        gettext_noop("%(count)s indicator(s) no longer matched"),
        {"count": result["deactivated"]},
    )
    return result


register_periodic(POLL_ALL_KIND, timedelta(minutes=5))
register_periodic(AGEING_KIND, timedelta(days=1))


# -- IOC matching: retro-hunt (hygie.intel.services.retro_hunt) -------------------------------

RETRO_HUNT_KIND = "intel.retro_hunt"  # started by retro_hunt.start (pages, API) and run_now (CLI)


@register_job(
    RETRO_HUNT_KIND,
    gettext_lazy("Retro-hunt of indicators in stored events"),
    {
        "indicators": gettext_lazy("Indicators hunted"),
        "events": gettext_lazy("Events searched"),
        "sightings": gettext_lazy("New sightings"),
        "sighted": gettext_lazy("Indicators sighted"),
    },
)
def retro_hunt_job(
    run: JobRun, indicator_ids: list[int] | None = None, days: int | None = None
) -> dict[str, Any]:
    from hygie.intel.services import retro_hunt

    establishment = run.establishment
    if establishment is None:
        raise ValueError("a retro-hunt belongs to an establishment")
    run.progress(0, 1, gettext_noop("Compiling the indicators"))
    return retro_hunt.hunt(
        establishment,
        indicator_ids=indicator_ids,
        days=days,
        progress=lambda done, total: run.progress(
            done,
            total,
            gettext_noop("%(done)s of %(total)s stored event(s) searched"),
            {"done": done, "total": total},
        ),
        check=run.check_cancelled,
    )


@register_job(
    "intel.retro_hunt_recent",
    gettext_lazy("Retro-hunt of new indicators"),
    {
        "establishments": gettext_lazy("Establishments"),
        "indicators": gettext_lazy("Indicators hunted"),
        "sightings": gettext_lazy("New sightings"),
    },
)
def retro_hunt_recent(run: JobRun) -> dict[str, Any]:
    from hygie.intel.services import retro_hunt

    result = retro_hunt.hunt_recent()
    run.progress(
        1,
        1,
        gettext_noop("%(count)s new indicator(s) hunted"),
        {"count": result["indicators"]},
    )
    return result


register_periodic("intel.retro_hunt_recent", timedelta(minutes=10))
