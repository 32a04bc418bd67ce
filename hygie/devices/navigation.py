"""The devices module's section of the navigation (autodiscovered by the core)."""

from django.utils.translation import gettext_lazy as _

from hygie.core.registries import NavItem, NavSection, navigation
from hygie.devices.roles import MANAGE, VIEW

navigation.register(
    "devices",
    NavSection(
        key="devices",
        label=_("Medical devices"),
        order=350,
        icon="shield",
        items=(
            NavItem(_("Devices dashboard"), "devices:dashboard", VIEW),
            NavItem(_("Device inventory"), "devices:device_list", VIEW),
            NavItem(_("Device vulnerabilities"), "devices:devicevulnerability_list", VIEW),
            NavItem(_("Advisories"), "devices:advisory_list", VIEW),
            NavItem(_("Vulnerability feeds"), "devices:feedimport_list", VIEW),
            NavItem(_("Inventory imports"), "devices:inventoryimport_list", MANAGE),
            NavItem(_("Vendor aliases"), "devices:vendoralias_list", VIEW),
            NavItem(_("Passive discovery"), "devices:discoveryrun_list", VIEW),
            NavItem(_("Segmentation"), "devices:segmentation", VIEW),
        ),
    ),
)
