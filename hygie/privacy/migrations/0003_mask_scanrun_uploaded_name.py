# Issue 9, review follow-up: a scan run of an uploaded file kept the file's raw name (which may
# name a patient) in uploaded_name. Only the masked form is stored now (••••.csv: the extension is
# all the scan needs); this masks the rows written before. Runs after 0002, which still needed
# the raw name to relabel findings.
from pathlib import PurePosixPath

from django.db import migrations

MASK = "••••"


def _masked(name):
    # Same rule as hygie.lib.filenames.masked_file_name (copied: migrations must not change
    # when the code they once called does).
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    if not (1 < len(suffix) <= 10 and suffix[1:].isascii() and suffix[1:].isalnum()):
        suffix = ""
    return MASK + suffix


def mask_uploaded_names(apps, schema_editor):
    ScanRun = apps.get_model("privacy", "ScanRun")
    for run in ScanRun.objects.exclude(uploaded_name="").only("pk", "uploaded_name").iterator():
        masked = _masked(run.uploaded_name)
        if masked != run.uploaded_name:
            ScanRun.objects.filter(pk=run.pk).update(uploaded_name=masked)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0002_mask_uploaded_names")]

    operations = [
        migrations.RunPython(mask_uploaded_names, migrations.RunPython.noop, elidable=True),
    ]
