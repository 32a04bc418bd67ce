from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntelConfig(AppConfig):
    name = "hygie.intel"
    label = "intel"
    verbose_name = _("Threat intelligence")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hygie.core.choices import Role
        from hygie.core.roles import grant
        from hygie.intel.roles import MANAGE, SHARE, VIEW

        grant(Role.ADMIN, VIEW, MANAGE, SHARE)
        grant(Role.RSSI, VIEW, MANAGE, SHARE)
        grant(Role.SOC_ANALYST, VIEW, MANAGE)
        grant(Role.AUDITOR, VIEW)

        from hygie.core import audit
        from hygie.intel import models

        audit.audit_model_changes(models.AUDITED_MODELS)
