"""Automatic timeline entries are kept in each interface language (decision 0025)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("response", "0003_obligation_texts"),
    ]

    operations = [
        migrations.AddField(
            model_name="timelineentry",
            name="texts",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
