"""The daily retention job moved from recruiting to assignments, which sees a person's whole life.

An installed schedule keeps its name's place and its tuned time: only its name and the
function it calls change. A database without it gets the new one from `manage.py setup`.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.filter(name="applicant data retention").update(
        name="personal data retention", func="assignments.tasks.personal_data_retention"
    )


def backwards(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.filter(name="personal data retention").update(
        name="applicant data retention", func="recruiting.tasks.applicants_anonymise_due"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("assignments", "0002_pool_member_status"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
