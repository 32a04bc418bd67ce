from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DetectionConfig(AppConfig):
    name = "hygie.detection"
    label = "detection"
    verbose_name = _("Detection")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hygie.core import audit
        from hygie.core.choices import Role
        from hygie.core.roles import grant
        from hygie.detection.models import RuleSetting
        from hygie.detection.roles import INGEST, MANAGE_RULES, VIEW_EVENTS

        grant(Role.ADMIN, VIEW_EVENTS, INGEST, MANAGE_RULES)
        grant(Role.RSSI, VIEW_EVENTS, INGEST, MANAGE_RULES)
        grant(Role.SOC_ANALYST, VIEW_EVENTS, INGEST)
        # Events are written in bulk by ingestion (not audited one by one); enabling or
        # disabling a rule changes what is watched, so it is.
        audit.audit_model_changes([RuleSetting])
