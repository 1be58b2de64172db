"""The letters of a run made before batches were numbered name the run's one batch.

A migration of its own: on PostgreSQL the rows a migration writes forbid the ALTER TABLE
of a foreign key it adds in the same transaction.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def letters_name_their_batch(apps, schema_editor):
    CustomerNotice = apps.get_model("assignments", "CustomerNotice")
    CustomerLetterBatch = apps.get_model("assignments", "CustomerLetterBatch")
    CustomerNotice.objects.filter(channel="letter", letter_batch__isnull=True).update(
        letter_batch=Subquery(CustomerLetterBatch.objects.filter(run=OuterRef("run")).values("pk")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [("assignments", "0012_letters_in_batches")]

    operations = [migrations.RunPython(letters_name_their_batch, migrations.RunPython.noop)]
