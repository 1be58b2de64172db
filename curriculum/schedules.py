"""The recurring django-q2 jobs of curriculum (installed by `manage.py setup`)."""

from datetime import time

from django_q.models import Schedule

from core.schedules import Job
from curriculum import tasks

JOBS = {
    # Just after midnight, so a cohort is in training on its first morning meeting.
    "cohorts advance": Job(tasks.cohorts_advance, Schedule.DAILY, time(0, 10)),
    # Monday morning, before the week's first morning meeting.
    "attendance warnings": Job(tasks.attendance_warnings_send, Schedule.WEEKLY, time(7, 0), weekday=0),
    # Failed and stranded emails; the pauses between attempts are in core.outbox.
    "certificate email retries": Job(tasks.certificate_emails_retry_due, Schedule.MINUTES, minutes=5),
    "attendance warning retries": Job(tasks.attendance_warnings_retry_due, Schedule.MINUTES, minutes=5),
}
