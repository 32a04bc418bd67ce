from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "hygie.privacy"
    label = "privacy"
    verbose_name = _("Patient data")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hygie.core import audit
        from hygie.core.choices import Role
        from hygie.core.roles import grant
        from hygie.privacy.models import ScanRoot
        from hygie.privacy.roles import SCAN, TRIAGE, VIEW_FINDINGS

        # Findings show where patient data lives: the DPO, the RSSI and administrators only.
        for role in (Role.ADMIN, Role.RSSI, Role.DPO):
            grant(role, VIEW_FINDINGS, TRIAGE, SCAN)
        # Findings and runs are written in bulk by scans; their triage and the scans themselves
        # are recorded explicitly by the services. Root configuration is audited field by field.
        audit.audit_model_changes([ScanRoot])
