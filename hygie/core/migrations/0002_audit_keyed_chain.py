# Placeholder in the core migration chain, filled by the change that needs it (issue 9).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations: list = []
