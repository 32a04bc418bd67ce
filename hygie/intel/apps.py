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

        # The TAXII client registers itself as the feeds' ``taxii`` poller.
        from hygie.intel.services import taxii_client  # noqa: F401

        self._register_matching()

    @staticmethod
    def _register_matching() -> None:
        """Indicators matched in the event stream and looked up by other modules (registries:
        neither detection nor awareness imports intel)."""
        from hygie.core.registries import event_observers, indicator_lookups
        from hygie.intel.services import matching

        event_observers.register("intel", matching.observe)
        indicator_lookups.register("intel", matching.lookup)
