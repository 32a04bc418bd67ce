from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwarenessConfig(AppConfig):
    name = "hygie.awareness"
    label = "awareness"
    verbose_name = _("Awareness")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hygie.awareness.roles import MANAGE, TRIAGE, VIEW
        from hygie.core.choices import Role
        from hygie.core.roles import grant

        grant(Role.ADMIN, VIEW, MANAGE, TRIAGE)
        grant(Role.RSSI, VIEW, MANAGE, TRIAGE)
        grant(Role.TRAINER, VIEW, MANAGE)
        grant(Role.SOC_ANALYST, VIEW, TRIAGE)
        grant(Role.DPO, VIEW)
        grant(Role.AUDITOR, VIEW)

        from hygie.awareness import models
        from hygie.core import audit

        audit.audit_model_changes(models.AUDITED_MODELS)
