import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def record_each_release(apps, schema_editor):
    """Give every member released before statuses existed her first history row: released, active."""
    PoolMember = apps.get_model("assignments", "PoolMember")
    PoolMemberEvent = apps.get_model("assignments", "PoolMemberEvent")
    members = list(PoolMember.objects.filter(events=None).only("pk", "released_at", "released_by_id"))
    events = PoolMemberEvent.objects.bulk_create(
        PoolMemberEvent(pool_member_id=m.pk, from_status="", to_status="active", actor_id=m.released_by_id)
        for m in members
    )
    # `created_at` is set to now on creation; the release happened when the member records it.
    for event, member in zip(events, members, strict=True):
        event.created_at = member.released_at
    PoolMemberEvent.objects.bulk_update(events, ["created_at"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("assignments", "0001_pool"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="poolmember",
            options={
                "ordering": ["branch", "enrollment__applicant__name"],
                "permissions": [("move_poolmember", "Can put pool members on leave, back to work, or out of the pool")],
                "verbose_name": "pool member",
                "verbose_name_plural": "pool members",
            },
        ),
        migrations.AddField(
            model_name="poolmember",
            name="status",
            field=models.CharField(
                choices=[("active", "Active"), ("on_leave", "On leave"), ("left", "Left")],
                default="active",
                max_length=20,
                verbose_name="status",
            ),
        ),
        migrations.AddConstraint(
            model_name="poolmember",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["active", "on_leave", "left"])), name="pool_member_status_known"
            ),
        ),
        migrations.CreateModel(
            name="PoolMemberEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("from_status", models.CharField(blank=True, max_length=20, verbose_name="from")),
                ("to_status", models.CharField(max_length=20, verbose_name="to")),
                ("note", models.TextField(blank=True, verbose_name="note")),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="when")),
                ("reason", models.CharField(blank=True, max_length=200, verbose_name="reason")),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty when the person concerned or a scheduled job made the change",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="by",
                    ),
                ),
                (
                    "pool_member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="assignments.poolmember",
                    ),
                ),
            ],
            options={
                "verbose_name": "pool member event",
                "verbose_name_plural": "pool member events",
                "ordering": ["created_at", "pk"],
                "abstract": False,
            },
        ),
        migrations.RunPython(record_each_release, migrations.RunPython.noop, elidable=True),
    ]
