from django.db import migrations, models
from django.db.models import F
from django.utils import timezone


def raise_total_to_done(apps, schema_editor):
    """Lift the total of a batch that counted more than it set out to, so the check below holds."""
    CertificateBatch = apps.get_model("curriculum", "CertificateBatch")
    CertificateBatch.objects.filter(done__gt=F("total")).update(total=F("done"))


def finish_all_but_the_newest_batch(apps, schema_editor):
    """Close the older of a cohort's batches in progress, so the unique constraint below can hold.

    Before it, simultaneous starts could make several batches of one cohort; the newest
    carries on (its run issues whatever is still missing), the older ones are recorded
    as finished, each with a history row saying why.
    """
    CertificateBatch = apps.get_model("curriculum", "CertificateBatch")
    CertificateBatchEvent = apps.get_model("curriculum", "CertificateBatchEvent")
    in_progress = CertificateBatch.objects.filter(status__in=["queued", "running"]).order_by("cohort_id", "-pk")
    seen = set()
    now = timezone.now()
    for batch in in_progress:
        if batch.cohort_id not in seen:
            seen.add(batch.cohort_id)
            continue
        CertificateBatchEvent.objects.create(
            batch=batch,
            from_status=batch.status,
            to_status="finished",
            note="Closed when one batch per cohort became the rule; the newest batch carries on.",
        )
        batch.status = "finished"
        batch.finished_at = now
        batch.save(update_fields=["status", "finished_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("curriculum", "0011_certificate_and_warning_outbox"),
    ]

    operations = [
        migrations.RunPython(raise_total_to_done, migrations.RunPython.noop),
        migrations.RunPython(finish_all_but_the_newest_batch, migrations.RunPython.noop),
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
