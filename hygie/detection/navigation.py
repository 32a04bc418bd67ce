"""The detection module's section of the navigation (autodiscovered by the core).

Alerts are not listed here: every module raises them, and the core lists them under Overview.
"""

from django.utils.translation import gettext_lazy as _

from hygie.core.registries import NavItem, NavSection, navigation
from hygie.detection.roles import MANAGE_FORWARDING, REPORT_MAIL, VIEW_EVENTS

navigation.register(
    "detection",
    NavSection(
        key="detection",
        label=_("Detection"),
        order=400,
        icon="shield",
        items=(
            NavItem(_("Events"), "detection:event_list", VIEW_EVENTS),
            NavItem(_("Rule library"), "detection:rule_list", VIEW_EVENTS),
            NavItem(_("Alert forwarding"), "detection:forwardingtarget_list", MANAGE_FORWARDING),
        ),
    ),
)

# Every role may report a suspicious e-mail: a section of its own, so that staff do not see a
# "Detection" heading for it.
navigation.register(
    "detection.reporting",
    NavSection(
        key="reporting",
        label=_("Reporting"),
        order=50,
        icon="flag",
        items=(NavItem(_("Report a suspicious e-mail"), "detection:mail_report", REPORT_MAIL),),
    ),
)
