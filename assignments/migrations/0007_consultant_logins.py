"""Members released before this release get their login, as a release now gives it
(assignments.services.pool); those who left get none. Undone, the logins go with the link."""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import migrations


def logins_for_current_members(apps, schema_editor):
    PoolMember = apps.get_model("assignments", "PoolMember")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    Group = apps.get_model("auth", "Group")
    group, _created = Group.objects.get_or_create(name="컨설턴트")
    members = PoolMember.objects.filter(user=None).exclude(status="left").select_related("enrollment__applicant")
    for member in members:
        applicant = member.enrollment.applicant
        username = applicant.mobile
        if not username or User.objects.filter(username=username).exists():
            username = f"consultant-{member.pk}"
        user = User.objects.create(
            username=username, email=applicant.email, first_name=applicant.name, password=make_password(None)
        )
        user.groups.add(group)
        member.user = user
        member.save(update_fields=["user"])


def logins_of_members_delete(apps, schema_editor):
    """Undoing this release removes the link to the logins; the logins, useful for nothing else, go with it."""
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    User.objects.filter(pool_member__isnull=False).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assignments", "0006_consultant_workspace"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(logins_for_current_members, logins_of_members_delete),
    ]
