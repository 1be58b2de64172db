"""The recurring django-q2 jobs of recruiting (installed by `manage.py setup`)."""

from datetime import time

from django_q.models import Schedule

from core.schedules import Job

JOBS = {
    "appointment reminders": Job("recruiting.tasks.appointment_reminders_send", Schedule.DAILY, time(10, 0)),
    "applicant data retention": Job("recruiting.tasks.applicants_anonymise_due", Schedule.DAILY, time(3, 30)),
}
