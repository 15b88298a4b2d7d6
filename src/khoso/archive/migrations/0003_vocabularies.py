"""Load the TT 05/2025 controlled vocabularies as data (editable afterwards in the admin)."""

from django.db import migrations


def load_vocabularies(apps, schema_editor):
    from khoso.archive.vocabularies import load

    load(apps.get_model("archive", "Vocabulary"))


class Migration(migrations.Migration):
    dependencies = [("archive", "0002_initial")]
    operations = [migrations.RunPython(load_vocabularies, migrations.RunPython.noop)]
