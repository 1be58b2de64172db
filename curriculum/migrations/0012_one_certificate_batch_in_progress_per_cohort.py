from django.db import migrations, models
from django.db.models import F


def raise_total_to_done(apps, schema_editor):
    """Lift the total of a batch that counted more than it set out to, so the check below holds."""
    CertificateBatch = apps.get_model("curriculum", "CertificateBatch")
    CertificateBatch.objects.filter(done__gt=F("total")).update(total=F("done"))


class Migration(migrations.Migration):
    dependencies = [
        ("curriculum", "0011_certificate_and_warning_outbox"),
    ]

    operations = [
        migrations.RunPython(raise_total_to_done, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="certificatebatch",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["queued", "running"])),
                fields=("cohort",),
                name="one_batch_in_progress_per_cohort",
            ),
        ),
        migrations.AddConstraint(
            model_name="certificatebatch",
            constraint=models.CheckConstraint(
                condition=models.Q(("done__lte", models.F("total"))), name="batch_done_within_total"
            ),
        ),
    ]
