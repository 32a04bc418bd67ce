# Issue 9, defect 7: uploaded files live at their digest; their original names are personal data.
import hashlib

from django.db import migrations, models


def _digest_path(sha256):
    return f"evidence/{sha256[:2]}/{sha256}"


def _sha256(storage, name):
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def move_files_to_their_digest(apps, schema_editor):
    """Evidence stored before content addressing (or saved twice, which Django stored as
    ``<sha256>_<random>``) moves to ``evidence/<sha256[:2]>/<sha256>``: one file per content.
    A file whose bytes no longer match its recorded SHA-256 is left where it is: moving it would
    hide the tampering ``hygie`` reports for it."""
    Evidence = apps.get_model("core", "Evidence")
    storage = Evidence._meta.get_field("file").storage
    for evidence in Evidence.objects.exclude(file="").only("pk", "file", "sha256").iterator():
        old, canonical = evidence.file.name, _digest_path(evidence.sha256)
        if old == canonical or not storage.exists(old):
            continue
        if _sha256(storage, old) != evidence.sha256:
            continue
        if not storage.exists(canonical):
            with storage.open(old, "rb") as handle:
                saved = storage.save(canonical, handle)
            if saved != canonical:  # a concurrent writer: keep the original where it is
                storage.delete(saved)
                continue
        Evidence.objects.filter(pk=evidence.pk).update(file=canonical)
        if not Evidence.objects.filter(file=old).exists():
            storage.delete(old)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_keyed_chain")]

    operations = [
        migrations.AlterField(
            model_name="evidence",
            name="original_name",
            field=models.CharField(blank=True, max_length=255, verbose_name="original file name"),
        ),
        migrations.RunPython(move_files_to_their_digest, migrations.RunPython.noop, elidable=True),
    ]
