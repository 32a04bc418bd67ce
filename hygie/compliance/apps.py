from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "hygie.compliance"
    label = "compliance"
    verbose_name = _("Compliance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hygie.compliance.roles import ASSESS, MANAGE_REGISTERS, VIEW, VIEW_REGISTERS
        from hygie.core.choices import Role
        from hygie.core.roles import grant

        grant(Role.ADMIN, VIEW, ASSESS, VIEW_REGISTERS, MANAGE_REGISTERS)
        grant(Role.RSSI, VIEW, ASSESS, VIEW_REGISTERS)
        grant(Role.DPO, VIEW, ASSESS, VIEW_REGISTERS, MANAGE_REGISTERS)
        grant(Role.AUDITOR, VIEW, VIEW_REGISTERS)
        from hygie.compliance import models
        from hygie.core import audit

        # An auditor may ask who changed an answer and when: every change is chained.
        audit.audit_model_changes(models.AUDITED_MODELS)
