"""Jobs keep their title and progress message as msgids with values (decision 0025)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_user_first_run_hidden"),
    ]

    operations = [
        migrations.AddField(
            model_name="job",
            name="display_texts",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
