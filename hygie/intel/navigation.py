"""The intel module's section of the navigation (autodiscovered by the core)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hygie.core.registries import NavItem, NavSection, navigation
from hygie.intel.roles import MANAGE, VIEW

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
