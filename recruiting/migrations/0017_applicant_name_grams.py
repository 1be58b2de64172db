"""Index the applicants' names by their characters and character pairs, so that a search
for part of a name ('서연') does not read the whole table on PostgreSQL.

The GIN index exists on PostgreSQL only, so it is made here rather than declared on the
model: SQLite has no GIN, and Django rebuilds a SQLite table with every declared index.
"""

from django.db import migrations, models

BATCH_SIZE = 1000
INDEX_NAME = "applicant_name_grams_gin"


def text_grams(text: str) -> list[str]:
    """Return the distinct characters and pairs of neighbouring characters of `text`, lower-cased.

    A copy of recruiting.models.applicants.text_grams as it was when this migration was
    written, so that the migration fills the same values whenever it runs.
    """
    lowered = text.lower()
    return sorted({*lowered, *(lowered[i : i + 2] for i in range(len(lowered) - 1))})


def fill_name_grams(apps, schema_editor):
    Applicant = apps.get_model("recruiting", "Applicant")
    last_pk = 0
    while batch := list(Applicant.objects.filter(pk__gt=last_pk).order_by("pk").only("name")[:BATCH_SIZE]):
        for applicant in batch:
            applicant.name_grams = text_grams(applicant.name)
        Applicant.objects.bulk_update(batch, ["name_grams"])
        last_pk = batch[-1].pk


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # jsonb_path_ops serves the containment (@>) the search asks for, in a smaller index than jsonb_ops.
        schema_editor.execute(
            f"CREATE INDEX {INDEX_NAME} ON recruiting_applicant USING gin (name_grams jsonb_path_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("recruiting", "0016_rrn_refused_in_admin_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="applicant",
            name="name_grams",
            field=models.JSONField(default=list, editable=False),
        ),
        migrations.RunPython(fill_name_grams, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
