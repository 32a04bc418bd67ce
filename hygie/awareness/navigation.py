"""The awareness module's section of the navigation (autodiscovered by the core)."""

from django.utils.translation import gettext_lazy as _

from hygie.awareness.roles import MANAGE, TRIAGE, VIEW
from hygie.core.registries import NavItem, NavSection, navigation

navigation.register(
    "awareness",
    NavSection(
        key="awareness",
        label=_("Awareness"),
        order=450,
        icon="mail",
        items=(
            # campaigns (helper A1/A2) — add items here
            NavItem(_("Campaigns"), "awareness:campaign_list", VIEW),
            NavItem(_("Simulation results"), "awareness:results_overview", VIEW),
            NavItem(_("Mail templates"), "awareness:mailtemplate_list", MANAGE),
            NavItem(_("Landing pages"), "awareness:landingpage_list", MANAGE),
            NavItem(_("Sending profiles"), "awareness:sendingprofile_list", MANAGE),
            # reported mails (helper A3) — add items here
            NavItem(_("Reported mails"), "awareness:reportedmail_list", TRIAGE),
            NavItem(_("Report mailboxes"), "awareness:reportmailbox_list", TRIAGE),
            # training (helper A4) — add items here
            NavItem(_("Training modules"), "awareness:training_catalogue", VIEW),
            NavItem(_("Training assignments"), "awareness:trainingassignment_list", VIEW),
            NavItem(_("Training completion"), "awareness:training_completion", VIEW),
        ),
    ),
)
