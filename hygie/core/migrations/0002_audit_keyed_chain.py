# Issue 9: the audit chain becomes keyed (HMAC-SHA256, key outside the database). Existing
# entries keep an empty key_id: they stay verifiable as the chain's plain SHA-256 legacy prefix.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="auditchainhead",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=40),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=40,
                                   verbose_name="audit key"),
        ),
    ]
