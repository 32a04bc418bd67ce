from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponseConfig(AppConfig):
    name = "hygie.response"
    label = "response"
    verbose_name = _("Response")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hygie.core import audit
        from hygie.core.choices import Role
        from hygie.core.roles import grant
        from hygie.response import models
        from hygie.response.roles import (
            MANAGE_EXERCISES,
            MANAGE_INCIDENTS,
            MANAGE_OBLIGATIONS,
            MANAGE_PLAYBOOKS,
            VIEW_INCIDENTS,
        )

        everything = (
            VIEW_INCIDENTS,
            MANAGE_INCIDENTS,
            MANAGE_OBLIGATIONS,
            MANAGE_PLAYBOOKS,
            MANAGE_EXERCISES,
        )
        grant(Role.ADMIN, *everything)
        grant(Role.RSSI, *everything)
        grant(Role.DPO, VIEW_INCIDENTS, MANAGE_OBLIGATIONS, MANAGE_EXERCISES)
        grant(Role.SOC_ANALYST, VIEW_INCIDENTS, MANAGE_INCIDENTS)
        grant(Role.BIOMED, VIEW_INCIDENTS)
        grant(Role.AUDITOR, VIEW_INCIDENTS)
        # Incidents are the record a regulator or a court may ask for: every change is chained.
        audit.audit_model_changes(models.AUDITED_MODELS)
        from hygie.response import signals  # noqa: F401  (connects its receivers)
