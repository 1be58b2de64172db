"""Locked admin sign-ins: which usernames and addresses are locked, lifting a lock, the lockout page.

django-axes counts failed sign-ins per username, address and browser (AccessAttempt) and
keeps one row per failure (AccessFailureLog). A username, or an address, is locked once
its failures within the cool-off reach AXES_FAILURE_LIMIT (see AXES_LOCKOUT_PARAMETERS).
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.models import AccessAttempt, AccessFailureLog
from axes.utils import reset
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Max, Min, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

logger = logging.getLogger(__name__)

# How far back the screen shows past lockouts.
HISTORY_DAYS = 30


@dataclass(frozen=True)
class LoginLock:
    """A username or an address that may not sign in until `unlocks_at`."""

    username: str
    address: str
    failures: int
    last_failure: datetime

    @property
    def unlocks_at(self) -> datetime:
        # Every failure, even one while locked, starts the cool-off again.
        return self.last_failure + settings.AXES_COOLOFF_TIME


def login_locks_current() -> list[LoginLock]:
    """Return the usernames, then the addresses, that are locked now, latest failure first."""
    recent = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)
    locks = []
    for field in ("username", "ip_address"):
        rows = (
            recent.exclude(**{f"{field}__isnull": True})
            .values(field)
            .annotate(failures=Sum("failures_since_start"), last_failure=Max("attempt_time"))
            .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
            .order_by("-last_failure")
        )
        locks += [
            LoginLock(
                username=row[field] if field == "username" else "",
                address=row[field] if field == "ip_address" else "",
                failures=row["failures"],
                last_failure=row["last_failure"],
            )
            for row in rows
        ]
    return locks


def login_lockouts_recent() -> list[dict]:
    """Return the lockouts of the last HISTORY_DAYS days: who, from where, when and how many tries."""
    return list(
        AccessFailureLog.objects.filter(
            locked_out=True, attempt_time__gte=timezone.now() - timedelta(days=HISTORY_DAYS)
        )
        .values("username", "ip_address")
        .annotate(first=Min("attempt_time"), last=Max("attempt_time"), tries=Count("pk"))
        .order_by("-last")
    )


def login_lock_lift(*, actor: AbstractBaseUser, username: str = "", address: str = "") -> int:
    """Forget the failed sign-ins of one username or one address, and return how many records went.

    Exactly one of `username` and `address` is given: axes would reset every lock if neither were.
    """
    if bool(username) == bool(address):
        raise ValueError("Give exactly one of username and address")
    count = reset(username=username) if username else reset(ip=address)
    # The lockouts themselves stay in AccessFailureLog; this line records who lifted one.
    logger.warning(
        "Sign-in lock lifted by %s for %s %s",
        actor.get_username(),
        "username" if username else "address",
        username or address,
    )
    return count


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """Answer a sign-in while locked: 429 with a Korean page saying how long and whom to ask."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "core/login_locked.html", {"minutes": minutes}, status=429)


def login_records_prune(*, now: datetime | None = None) -> int:
    """Delete the records of failed sign-ins older than ACCESS_RECORD_RETENTION_DAYS; return how many.

    They hold a username and a client address each, and serve the lockout (minutes) and
    the screen of past lockouts (HISTORY_DAYS); kept as long as the access records, and
    no longer.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.ACCESS_RECORD_RETENTION_DAYS)
    failures, _per_model = AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()
    attempts, _per_model = AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()
    return failures + attempts
