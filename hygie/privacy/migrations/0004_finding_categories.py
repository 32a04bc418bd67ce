# Issue 15: a finding carries its HIPAA Safe Harbor identifier and its French category, and a
# location holds one row per kind of data (entity type and categories). Rows written before get
# their entity type's default categories (engine/fields/categories.yml at the time of writing,
# copied: migrations must not change when the data they once read does); the next scan of their
# root replaces them where a field map names others.
from django.db import migrations, models

DEFAULTS = {
    "PERSON": ("A", "identite"),
    "ADDRESS": ("B", "lieu"),
    "POSTAL_CODE": ("B", "lieu"),
    "DATE_OF_BIRTH": ("C", "date"),
    "DATE": ("C", "date"),
    "FR_PHONE": ("D", "coordonnees"),
    "US_PHONE": ("D", "coordonnees"),
    "EMAIL": ("F", "coordonnees"),
    "US_SSN": ("G", "nir"),
    "MRN": ("H", "identifiant"),
    "US_MBI": ("I", "identifiant"),
    "IBAN": ("J", "financier"),
    "CREDIT_CARD": ("J", "financier"),
    "US_DEA": ("K", "professionnel"),
    "URL": ("N", "connexion"),
    "IP_ADDRESS": ("O", "connexion"),
    "FR_NIR": ("R", "nir"),
    "FR_INS": ("R", "nir"),
    "FR_RPPS": ("R", "professionnel"),
    "FR_ADELI": ("R", "professionnel"),
    "US_NPI": ("R", "professionnel"),
    "FR_FINESS": ("none", "etablissement"),
}


def fill_categories(apps, schema_editor):
    PHIFinding = apps.get_model("privacy", "PHIFinding")
    for entity, (hipaa, fr) in DEFAULTS.items():
        PHIFinding.objects.filter(entity_type=entity).update(hipaa_identifier=hipaa, fr_category=fr)
    # An entity type unknown here (none today) is said honestly: not a Safe Harbor identifier.
    PHIFinding.objects.filter(hipaa_identifier="").update(hipaa_identifier="none")
    PHIFinding.objects.filter(fr_category="").update(fr_category="identifiant")


class Migration(migrations.Migration):
    dependencies = [("privacy", "0003_mask_scanrun_uploaded_name")]

    operations = [
        migrations.AddField(
            model_name="phifinding",
            name="hipaa_identifier",
            field=models.CharField(
                choices=[
                    ("A", "A: Names"),
                    ("B", "B: Geographic subdivisions"),
                    ("C", "C: Dates"),
                    ("D", "D: Telephone numbers"),
                    ("E", "E: Fax numbers"),
                    ("F", "F: E-mail addresses"),
                    ("G", "G: Social Security numbers"),
                    ("H", "H: Medical record numbers"),
                    ("I", "I: Health plan beneficiary numbers"),
                    ("J", "J: Account numbers"),
                    ("K", "K: Certificate/license numbers"),
                    ("L", "L: Vehicle identifiers"),
                    ("M", "M: Device identifiers"),
                    ("N", "N: URLs"),
                    ("O", "O: IP addresses"),
                    ("P", "P: Biometric identifiers"),
                    ("Q", "Q: Face photographs"),
                    ("R", "R: Other unique identifiers"),
                    ("none", "Not a Safe Harbor identifier"),
                ],
                db_index=True,
                default="",
                help_text="HIPAA Safe Harbor identifier, 45 CFR 164.514(b)(2): A to R, or none.",
                max_length=4,
                verbose_name="HIPAA identifier",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="phifinding",
            name="fr_category",
            field=models.CharField(
                choices=[
                    ("identite", "Identity"),
                    ("date", "Dates of the person"),
                    ("lieu", "Place"),
                    ("coordonnees", "Contact details"),
                    ("nir", "NIR, INS, SSN"),
                    ("identifiant", "Administrative identifiers"),
                    ("professionnel", "Health professionals"),
                    ("appareil", "Devices"),
                    ("financier", "Bank data"),
                    ("connexion", "Connection data"),
                    ("etablissement", "Facility"),
                ],
                db_index=True,
                default="",
                max_length=20,
                verbose_name="French category",
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="scanrun",
            name="findings_count",
            field=models.PositiveIntegerField(
                default=0,
                help_text="Locations × kinds of data found (entity type and categories).",
                verbose_name="findings",
            ),
        ),
        migrations.RunPython(fill_categories, migrations.RunPython.noop, elidable=True),
        migrations.RemoveConstraint(
            model_name="phifinding", name="privacy_finding_unique_per_root_path_entity"
        ),
        migrations.AddConstraint(
            model_name="phifinding",
            constraint=models.UniqueConstraint(
                condition=models.Q(root__isnull=False),
                fields=("root", "relative_path", "entity_type", "hipaa_identifier", "fr_category"),
                name="privacy_finding_unique_per_root_path_kind",
            ),
        ),
    ]
