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
