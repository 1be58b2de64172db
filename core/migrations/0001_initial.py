from django.db import migrations, models


def relabel_content_type(apps, schema_editor, old="recruiting", new="core"):
    """Move the counter's content type with the model, so no stale one stays behind."""
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(schema_editor.connection.alias)
    if not content_types.filter(app_label=new, model="ratelimitcounter").exists():
        content_types.filter(app_label=old, model="ratelimitcounter").update(app_label=new)


def restore_content_type(apps, schema_editor):
    relabel_content_type(apps, schema_editor, old="core", new="recruiting")


class Migration(migrations.Migration):
    """Take over RateLimitCounter from recruiting in the state only: the table stays as it is."""

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        # The table was created by recruiting's migrations; it must exist before core claims it.
        ("recruiting", "0007_applicant_contact_change_and_duplicate_notice"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RateLimitCounter",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("key", models.CharField(max_length=64)),
                        ("window_start", models.DateTimeField()),
                        ("count", models.PositiveIntegerField(default=0)),
                    ],
                    options={
                        "db_table": "recruiting_ratelimitcounter",
                        "indexes": [models.Index(fields=["window_start"], name="recruiting__window__bea0c9_idx")],
                        "constraints": [
                            models.UniqueConstraint(fields=("key", "window_start"), name="one_counter_per_key_window")
                        ],
                    },
                ),
            ],
            database_operations=[migrations.RunPython(relabel_content_type, restore_content_type)],
        ),
    ]
