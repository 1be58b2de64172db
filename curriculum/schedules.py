"""The recurring django-q2 jobs of curriculum (installed by `manage.py setup`)."""

from datetime import time

from django_q.models import Schedule

from core.schedules import Job

JOBS = {
    # Monday morning, before the week's first morning meeting.
    "attendance warnings": Job("curriculum.tasks.attendance_warnings_send", Schedule.WEEKLY, time(7, 0), weekday=0),
}
