"""The recurring django-q2 jobs of recruiting, created once by name by `manage.py setup`."""

from datetime import datetime, time, timedelta

from django.utils import timezone
from django_q.models import Schedule

# name -> (task, Seoul time of day it runs)
DAILY_JOBS = {
    "appointment reminders": ("recruiting.tasks.appointment_reminders_send", time(10, 0)),
    "applicant data retention": ("recruiting.tasks.applicants_anonymise_due", time(3, 30)),
}


def install_schedules() -> list[str]:
    """Create the daily schedules that are missing; leave existing ones as an operator may have tuned them."""
    created = []
    for name, (task, at) in DAILY_JOBS.items():
        today = timezone.localdate()
        next_run = timezone.make_aware(datetime.combine(today, at))
        if next_run <= timezone.now():
            next_run += timedelta(days=1)
        _schedule, was_created = Schedule.objects.get_or_create(
            name=name, defaults={"func": task, "schedule_type": Schedule.DAILY, "next_run": next_run, "repeats": -1}
        )
        if was_created:
            created.append(name)
    return created
