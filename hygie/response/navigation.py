"""The response module's section of the navigation (autodiscovered by the core)."""

from django.utils.translation import gettext_lazy as _

from hygie.core.registries import NavItem, NavSection, navigation
from hygie.response.roles import VIEW_INCIDENTS

navigation.register(
    "response",
    NavSection(
        key="response",
        label=_("Response"),
        order=500,
        icon="siren",
        items=(
            NavItem(_("Incidents"), "response:incident_list", VIEW_INCIDENTS),
            NavItem(_("Regulatory clocks"), "response:incidentobligation_list", VIEW_INCIDENTS),
            NavItem(_("Playbooks"), "response:playbook_list", VIEW_INCIDENTS),
            NavItem(_("Crisis exercises"), "response:exercise_list", VIEW_INCIDENTS),
            NavItem(_("Breach register"), "response:breach_register", VIEW_INCIDENTS),
            NavItem(_("Response KPIs"), "response:kpi_list", VIEW_INCIDENTS),
        ),
    ),
)
