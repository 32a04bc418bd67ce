"""Detection's panel on the landing pages: report a suspicious e-mail to the security team
(staff and the roles that do not watch alerts themselves)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy

from hygie.core.choices import Role
from hygie.core.models import User
from hygie.core.registries import LandingPanel, landing_panels
from hygie.detection.mail_reports import reports_by
from hygie.detection.roles import REPORT_MAIL


def report_mail(user: User) -> Mapping[str, Any]:
    return {"reports": reports_by(user, limit=3)}


landing_panels.register(
    "detection.report_mail",
    LandingPanel(
        id="detection.report_mail",
        title=gettext_lazy("Report a suspicious e-mail"),
        order=50,
        roles=frozenset({Role.STAFF, Role.TRAINER, Role.BIOMED, Role.DPO}),
        template="detection/landing/_report_mail.html",
        context=report_mail,
        capability=REPORT_MAIL,
    ),
)
