"""The recurring django-q2 jobs of recruiting (installed by `manage.py setup`)."""

from datetime import time

from django_q.models import Schedule

from core.schedules import Job
from recruiting import tasks

JOBS = {
    "appointment reminders": Job(tasks.appointment_reminders_send, Schedule.DAILY, time(10, 0)),
    "applicant data retention": Job(tasks.applicants_anonymise_due, Schedule.DAILY, time(3, 30)),
}
