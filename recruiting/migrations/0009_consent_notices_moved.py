import django.db.models.deletion
from django.db import migrations, models


def relabel_content_types(apps, schema_editor, old="cms", new="recruiting"):
    """Move the notices' content types, so the roles' permissions and Wagtail's history follow them."""
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(schema_editor.connection.alias)
    for model in ("consentnotice", "consentnoticeversion"):
        if not content_types.filter(app_label=new, model=model).exists():
            content_types.filter(app_label=old, model=model).update(app_label=new)


def restore_content_types(apps, schema_editor):
    relabel_content_types(apps, schema_editor, old="recruiting", new="cms")


class Migration(migrations.Migration):
    """Take over the consent notices from cms in the state only: the tables and their rows stay."""

    dependencies = [
        ("cms", "0004_apply_done_text_true_for_a_repeat"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("recruiting", "0008_ratelimitcounter_moved_to_core"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ConsentNotice",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "key",
                            models.SlugField(
                                help_text="A fixed name for the notice, e.g. application",
                                max_length=40,
                                unique=True,
                                verbose_name="key",
                            ),
                        ),
                        (
                            "title",
                            models.CharField(
                                help_text="e.g. 개인정보 수집·이용 동의 (필수)", max_length=120, verbose_name="title"
                            ),
                        ),
                        (
                            "is_required",
                            models.BooleanField(
                                default=False,
                                help_text="Only the consent needed to process an application is required",
                                verbose_name="required",
                            ),
                        ),
                        (
                            "purpose",
                            models.TextField(help_text="Why the data is collected and used", verbose_name="purpose"),
                        ),
                        (
                            "items",
                            models.TextField(
                                help_text="Every item of personal data collected", verbose_name="items collected"
                            ),
                        ),
                        (
                            "retention",
                            models.TextField(
                                help_text="How long the data is kept and when it is destroyed",
                                verbose_name="retention period",
                            ),
                        ),
                        (
                            "refusal",
                            models.TextField(
                                help_text="That the applicant may refuse, and what follows if they do",
                                verbose_name="right to refuse",
                            ),
                        ),
                        ("is_active", models.BooleanField(default=True, verbose_name="shown on the form")),
                        ("sort_order", models.PositiveSmallIntegerField(default=0, verbose_name="sort order")),
                        ("version", models.PositiveIntegerField(default=0, editable=False, verbose_name="version")),
                    ],
                    options={
                        "verbose_name": "consent notice",
                        "verbose_name_plural": "consent notices",
                        "db_table": "cms_consentnotice",
                        "ordering": ["sort_order", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="ConsentNoticeVersion",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("number", models.PositiveIntegerField(verbose_name="version")),
                        ("title", models.CharField(max_length=120, verbose_name="title")),
                        ("is_required", models.BooleanField(verbose_name="required")),
                        ("purpose", models.TextField(verbose_name="purpose")),
                        ("items", models.TextField(verbose_name="items collected")),
                        ("retention", models.TextField(verbose_name="retention period")),
                        ("refusal", models.TextField(verbose_name="right to refuse")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                        (
                            "notice",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="versions",
                                to="recruiting.consentnotice",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "consent notice version",
                        "verbose_name_plural": "consent notice versions",
                        "db_table": "cms_consentnoticeversion",
                        "ordering": ["notice", "number"],
                    },
                ),
                migrations.AlterField(
                    model_name="applicantconsent",
                    name="notice_version",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="recruiting.consentnoticeversion",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="consentnoticeversion",
                    constraint=models.UniqueConstraint(
                        fields=("notice", "number"), name="one_number_per_notice_version"
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(relabel_content_types, restore_content_types)],
        ),
    ]
