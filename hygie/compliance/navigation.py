"""The compliance module's section of the navigation (autodiscovered by the core). Each area
adds its items to ``ITEMS`` (the GDPR registers add theirs after the remediation plan)."""

from django.utils.translation import gettext_lazy as _

from hygie.compliance.roles import VIEW, VIEW_REGISTERS
from hygie.core.registries import NavItem, NavSection, navigation

ITEMS: tuple[NavItem, ...] = (
    NavItem(_("Executive posture"), "compliance:executive", VIEW),
    NavItem(_("Assessments"), "compliance:assessment_list", VIEW),
    NavItem(_("Probe results"), "compliance:proberun_list", VIEW),
    NavItem(_("Remediation plan"), "compliance:remediationaction_list", VIEW),
    NavItem(_("Framework library"), "compliance:framework_list", VIEW),
    NavItem(_("Record of processing"), "compliance:processingactivity_list", VIEW_REGISTERS),
    NavItem(_("DPIAs"), "compliance:dpia_list", VIEW_REGISTERS),
)

navigation.register(
    "compliance",
    NavSection(key="compliance", label=_("Compliance"), order=600, icon="shield", items=ITEMS),
)
