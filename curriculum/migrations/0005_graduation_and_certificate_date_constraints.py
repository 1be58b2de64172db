"""The constraints, in a migration of their own: PostgreSQL alters no table with the revocations of 0004 pending."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("curriculum", "0004_graduation_decisions_and_certificate_dates"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="certificate",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("issued_on__gte", models.F("ends_on")),
                    models.Q(("status", "valid"), _negated=True),
                    _connector="OR",
                ),
                name="certificate_issued_after_training_ended",
                violation_error_message="A certificate cannot be dated before the training it certifies ended.",
            ),
        ),
        migrations.AddConstraint(
            model_name="enrollment",
            constraint=models.CheckConstraint(
                condition=models.Q(("early_graduation_reason", ""), ("status", "graduated"), _connector="OR"),
                name="early_graduation_only_for_graduates",
                violation_error_message="Only a graduate can have graduated early.",
            ),
        ),
    ]
