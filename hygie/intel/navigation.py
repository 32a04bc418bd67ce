"""The intel module's section of the navigation (autodiscovered by the core)."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hygie.core.incident_sources import IncidentSharer, incident_sharers
from hygie.core.registries import NavItem, NavSection, navigation
from hygie.intel.roles import MANAGE, SHARE, VIEW

navigation.register(
    "intel",
    NavSection(
        key="intel",
        label=_("Threat intelligence"),
        order=550,
        icon="share",
        items=(
            NavItem(_("Indicators"), "intel:indicator_list", VIEW),
            NavItem(_("Sightings"), "intel:sighting_list", VIEW),
            NavItem(_("Feeds"), "intel:feed_list", VIEW),
            NavItem(_("Partners"), "intel:partner_list", VIEW),
            NavItem(_("Import indicators"), "intel:indicator_import", MANAGE),
            NavItem(
                pgettext_lazy("navigation", "TAXII collections"), "intel:taxiicollection_list", VIEW
            ),
            NavItem(_("TAXII credentials"), "intel:partnercredential_list", MANAGE),
            NavItem(_("Incident shares"), "intel:incidentshare_list", VIEW),
        ),
    ),
)

# The "Share with a partner" link of the incident page (response reads it from the core registry).
incident_sharers.register(
    "intel",
    IncidentSharer(
        label=_("Share with a partner"),
        url=lambda ref: reverse("intel:incidentshare_prepare") + "?" + urlencode({"incident": ref}),
        capability=SHARE,
    ),
)
