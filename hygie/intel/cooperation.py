"""What intel offers other modules through the core registries (autodiscovered; neither
detection, awareness nor response imports intel): indicators matched in the stored event stream,
looked up for reported mails, and the "Share with a partner" link of the incident page."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hygie.core.incident_sources import IncidentSharer, incident_sharers
from hygie.core.registries import event_observers, indicator_lookups
from hygie.intel.roles import SHARE
from hygie.intel.services import (
    matching,
    taxii_client,  # noqa: F401  (registers the feeds' "taxii" poller)
)

event_observers.register("intel", matching.observe)
indicator_lookups.register("intel", matching.lookup)

# The "Share with a partner" link of the incident page (response reads it from the core registry).
incident_sharers.register(
    "intel",
    IncidentSharer(
        label=_("Share with a partner"),
        url=lambda ref: reverse("intel:incidentshare_prepare") + "?" + urlencode({"incident": ref}),
        capability=SHARE,
    ),
)
