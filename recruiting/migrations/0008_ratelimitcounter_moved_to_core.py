from django.db import migrations


class Migration(migrations.Migration):
    """Hand RateLimitCounter over to core in the state only: the table and its rows stay."""

    dependencies = [
        ("recruiting", "0007_applicant_contact_change_and_duplicate_notice"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="RateLimitCounter")],
            database_operations=[],
        ),
    ]
