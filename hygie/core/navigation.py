"""The core's entries in the navigation (autodiscovered; see docs/developer-guide.md).

A module adds its own pages the same way: one ``navigation.py`` registering one NavSection.
"""

from django.utils.translation import gettext_lazy as _

from hygie.core.registries import NavItem, NavSection, navigation
from hygie.core.roles import (
    MANAGE_USERS,
    VIEW_ALERTS,
    VIEW_AUDIT,
    VIEW_DIRECTORY,
    VIEW_EVIDENCE,
    VIEW_JOBS,
    VIEW_ORGANISATION,
)

# Orders leave room between the core's sections for the modules (privacy at 300, devices…).
navigation.register(
    "core",
    NavSection(
        key="core",
        label=_("Overview"),
        order=0,
        icon="home",
        items=(
            NavItem(_("Dashboard"), "core:dashboard"),
            NavItem(_("Alerts"), "core:alert_list", VIEW_ALERTS),
        ),
    ),
)
navigation.register(
    "core-organisation",
    NavSection(
        key="core-organisation",
        label=_("Organisation"),
        order=100,
        icon="building",
        items=(
            NavItem(_("Organisations"), "core:organisation_list", VIEW_ORGANISATION),
            NavItem(_("Establishments"), "core:establishment_list", VIEW_ORGANISATION),
            NavItem(_("Departments"), "core:department_list", VIEW_ORGANISATION),
        ),
    ),
)
navigation.register(
    "core-inventory",
    NavSection(
        key="core-inventory",
        label=_("Directory and assets"),
        order=200,
        icon="people",
        items=(
            NavItem(_("People"), "core:person_list", VIEW_DIRECTORY),
            NavItem(_("Assets"), "core:asset_list", VIEW_DIRECTORY),
        ),
    ),
)
navigation.register(
    "core-records",
    NavSection(
        key="core-records",
        label=_("Records"),
        order=900,
        icon="folder",
        items=(
            NavItem(_("Evidence"), "core:evidence_list", VIEW_EVIDENCE),
            NavItem(_("Jobs"), "core:job_list", VIEW_JOBS),
            NavItem(_("Audit trail"), "core:audit_list", VIEW_AUDIT),
        ),
    ),
)
navigation.register(
    "core-admin",
    NavSection(
        key="core-admin",
        label=_("Administration"),
        order=1000,
        icon="settings",
        items=(NavItem(_("Users"), "core:user_list", MANAGE_USERS),),
    ),
)
