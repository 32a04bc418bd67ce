"""Account security (issue 9): recovery codes stored in clear by earlier versions are hashed.

Only the stored value changes (django-otp's token column), so the codes users printed keep
working. Hashing is one-way: migrating back leaves the hashes, which earlier versions cannot
match, so the codes are then simply invalid (users regenerate them), never exposed.
"""

from typing import Any

from django.db import migrations

_MARK = "$"  # the stored form of a hashed code (see hygie.core.services.mfa)


def hash_clear_recovery_codes(apps: Any, schema_editor: Any) -> None:
    from hygie.core.services.mfa import hash_recovery_code

    static_token = apps.get_model("otp_static", "StaticToken")
    clear = static_token.objects.exclude(token__startswith=_MARK).select_related("device")
    for token in clear.iterator():
        token.token = hash_recovery_code(token.device.user_id, token.token)
        token.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [("core", "0003_uploads_and_files"), ("otp_static", "0003_add_timestamps")]

    operations = [
        migrations.RunPython(hash_clear_recovery_codes, migrations.RunPython.noop, elidable=False),
    ]
