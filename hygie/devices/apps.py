from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevicesConfig(AppConfig):
    name = "hygie.devices"
    label = "devices"
    verbose_name = _("Medical devices")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hygie.core.choices import Role
        from hygie.core.roles import grant
        from hygie.devices.roles import MANAGE, TRIAGE, VIEW

        grant(Role.ADMIN, VIEW, MANAGE, TRIAGE)
        grant(Role.RSSI, VIEW, MANAGE, TRIAGE)
        grant(Role.BIOMED, VIEW, MANAGE, TRIAGE)
        grant(Role.SOC_ANALYST, VIEW)
        grant(Role.AUDITOR, VIEW)

        from hygie.core import audit
        from hygie.devices import models

        # Who changed a device, an alias or a decision on a device vulnerability, and when: the
        # history of a decision is the audit trail's.
        audit.audit_model_changes(models.AUDITED_MODELS)
