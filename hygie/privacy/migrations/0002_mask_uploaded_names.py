# Issue 9, defect 7: the name of a file uploaded for a PHI scan may name a patient. Findings and
# skip notes of upload scans used it as their location; they now show it masked (••••.csv).
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


def _relabel(path, name, masked):
    if path == name:
        return masked
    if path.startswith(name + "!/"):
        return masked + path[len(name) :]
    return path


def mask_upload_locations(apps, schema_editor):
    ScanRun = apps.get_model("privacy", "ScanRun")
    PHIFinding = apps.get_model("privacy", "PHIFinding")
    for run in ScanRun.objects.filter(root__isnull=True).exclude(uploaded_name="").iterator():
        name, masked = run.uploaded_name, _masked(run.uploaded_name)
        for finding in PHIFinding.objects.filter(scan_run=run, root__isnull=True).only(
            "pk", "relative_path"
        ):
            relabelled = _relabel(finding.relative_path, name, masked)
            if relabelled != finding.relative_path:
                PHIFinding.objects.filter(pk=finding.pk).update(relative_path=relabelled)
        skipped = [
            dict(item, path=_relabel(str(item.get("path", "")), name, masked))
            if isinstance(item, dict)
            else item
            for item in run.skipped or []
        ]
        if skipped != (run.skipped or []):
            ScanRun.objects.filter(pk=run.pk).update(skipped=skipped)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [
        migrations.RunPython(mask_upload_locations, migrations.RunPython.noop, elidable=True),
    ]
