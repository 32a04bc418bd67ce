from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "hygie.core"
    label = "core"
    verbose_name = _("Core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hygie.core import audit, signals  # noqa: F401  (connects receivers)
        from hygie.core.models import (
            Alert,
            APIToken,
            Asset,
            Department,
            Establishment,
            Evidence,
            Organisation,
            Person,
            User,
        )

        audit.audit_model_changes(
            [
                Organisation,
                Establishment,
                Department,
                Person,
                Asset,
                Alert,
                Evidence,
                User,
                APIToken,
            ]
        )
