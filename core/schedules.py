"""The installer of recurring django-q2 jobs; each app lists its own jobs in its `schedules.py`.

A job names its task function itself, so searching the task's name finds its schedule;
django-q stores the function as a dotted path, derived here.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone
from django_q.models import Schedule


@dataclass(frozen=True)
class Job:
    task: Callable[[], object]
    schedule_type: str
    at: time | None = None  # for daily and weekly jobs: Seoul time of day of the first run
    weekday: int | None = None  # for weekly jobs: 0 is Monday
    minutes: int | None = None  # for Schedule.MINUTES jobs: the pause between runs


def dotted_path(task: Callable[..., object]) -> str:
    """Return the path django-q stores for `task` (a module-level function)."""
    return f"{task.__module__}.{task.__qualname__}"


def _first_run(job: Job) -> datetime:
    if job.at is None:
        return timezone.now()
    day = timezone.localdate()
    if job.weekday is not None:
        day += timedelta(days=(job.weekday - day.weekday()) % 7)
    first = timezone.make_aware(datetime.combine(day, job.at))
    if first <= timezone.now():
        first += timedelta(days=7 if job.weekday is not None else 1)
    return first


def install_schedules(jobs: dict[str, Job]) -> list[str]:
    """Create the schedules that are missing; leave existing ones as an operator may have tuned them."""
    created = []
    for name, job in jobs.items():
        _schedule, was_created = Schedule.objects.get_or_create(
            name=name,
            defaults={
                "func": dotted_path(job.task),
                "schedule_type": job.schedule_type,
                "next_run": _first_run(job),
                "repeats": -1,
                "minutes": job.minutes,
            },
        )
        if was_created:
            created.append(name)
    return created
