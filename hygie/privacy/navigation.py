"""The privacy module's section of the navigation (autodiscovered by the core)."""

from django.utils.translation import gettext_lazy as _

from hygie.core.registries import NavItem, NavSection, navigation
from hygie.privacy.roles import SCAN, VIEW_FINDINGS

navigation.register(
    "privacy",
    NavSection(
        key="privacy",
        label=_("Patient data"),
        order=300,
        icon="shield",
        items=(
            NavItem(_("PHI inventory"), "privacy:summary", VIEW_FINDINGS),
            NavItem(_("Findings"), "privacy:phifinding_list", VIEW_FINDINGS),
            NavItem(_("Scans"), "privacy:scanrun_list", VIEW_FINDINGS),
            NavItem(_("Start a scan"), "privacy:scanrun_add", SCAN),
            NavItem(_("Scan roots"), "privacy:scanroot_list", VIEW_FINDINGS),
        ),
    ),
)
