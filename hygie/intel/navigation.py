"""The intel module's section of the navigation (autodiscovered by the core)."""

from django.utils.translation import gettext_lazy as _

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
            # indicators, feeds, partners (helper I1) — add items here
            # TAXII collections (helper I2) — add items here
            # shares (helper I3) — add items here
        ),
    ),
)
