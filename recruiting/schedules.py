"""The recurring django-q2 jobs of recruiting (installed by `manage.py setup`)."""

from datetime import time

from django_q.models import Schedule

from core.schedules import Job
from recruiting import tasks

JOBS = {
    "appointment reminders": Job(tasks.appointment_reminders_send, Schedule.DAILY, time(10, 0)),
    # Failed and stranded notifications; the pauses between attempts are in core.outbox.
    "notification retries": Job(tasks.notifications_retry_due, Schedule.MINUTES, minutes=5),
}
