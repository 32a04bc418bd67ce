from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DetectionConfig(AppConfig):
    name = "hygie.detection"
    label = "detection"
    verbose_name = _("Detection")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from hygie.core import audit
        from hygie.core.choices import Role
        from hygie.core.models import Alert
        from hygie.core.roles import grant
        from hygie.detection import forwarding
        from hygie.detection.models import ForwardingTarget, RuleSetting
        from hygie.detection.roles import (
            INGEST,
            MANAGE_FORWARDING,
            MANAGE_RULES,
            REPORT_MAIL,
            VIEW_EVENTS,
        )

        grant(Role.ADMIN, VIEW_EVENTS, INGEST, MANAGE_RULES, MANAGE_FORWARDING)
        grant(Role.RSSI, VIEW_EVENTS, INGEST, MANAGE_RULES, MANAGE_FORWARDING)
        grant(Role.SOC_ANALYST, VIEW_EVENTS, INGEST)
        # Anyone may report a suspicious e-mail to the security team.
        for role in Role.values:
            grant(role, REPORT_MAIL)
        # Events are written in bulk by ingestion (not audited one by one); enabling or
        # disabling a rule changes what is watched, so it is; so is where alerts are sent.
        audit.audit_model_changes([RuleSetting, ForwardingTarget])
        post_save.connect(
            forwarding.on_alert_saved, sender=Alert, dispatch_uid="hygie-detection-forward-alerts"
        )
