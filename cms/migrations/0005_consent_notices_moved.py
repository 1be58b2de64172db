from django.db import migrations


class Migration(migrations.Migration):
    """Hand the consent notices over to recruiting in the state only: the tables and their rows stay."""

    dependencies = [
        ("cms", "0004_apply_done_text_true_for_a_repeat"),
        ("recruiting", "0009_consent_notices_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="consentnoticeversion",
                    name="notice",
                ),
                migrations.DeleteModel(
                    name="ConsentNotice",
                ),
                migrations.DeleteModel(
                    name="ConsentNoticeVersion",
                ),
            ],
            database_operations=[],
        ),
    ]
