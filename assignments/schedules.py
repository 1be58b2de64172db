"""The recurring django-q2 jobs of assignments (installed by `manage.py setup`)."""

from datetime import time

from django_q.models import Schedule

from assignments import tasks
from core.schedules import Job

JOBS = {
    # Early morning, so that month 4 starts with the graduates already in the pool.
    "pool release": Job(tasks.pool_release_due, Schedule.DAILY, time(6, 0)),
    # Every retention rule, for every state a person can be in (assignments.retention).
    "personal data retention": Job(tasks.personal_data_retention, Schedule.DAILY, time(3, 30)),
    # Customers' notices that failed or whose worker died; the pauses between attempts are in core.outbox.
    "customer notice retries": Job(tasks.customer_notices_retry_due, Schedule.MINUTES, minutes=5),
    # Monday at 08:00 (Seoul), as the week starts: last week's figures to each branch manager.
    "branch digests": Job(tasks.branch_digests_create, Schedule.WEEKLY, time(8, 0), weekday=0),
    "branch digest retries": Job(tasks.branch_digests_retry_due, Schedule.MINUTES, minutes=5),
}
