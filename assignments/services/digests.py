"""The branch manager's weekly digest: her branch's figures of last week, emailed once on Monday morning.

`branch_digests_create` runs weekly (assignments.schedules). It records one `BranchDigest`
per branch manager for the week that ended the day before, Monday to Sunday; a unique
constraint makes a rerun in the same week, or two runs at once, record nothing more. Each
new digest is queued after commit and sent by `branch_digest_send` through `core.outbox`:
claimed in a short transaction, sent outside any lock, recorded; a failure is tried again
by `branch_digests_retry_due` and listed for HR among the unsent emails.

The figures are `assignments.figures.branch_figures` over the digest's seven days, read
when the email is sent. The email holds counts and the names of the branch's consultants,
never a customer's name or anything else of hers (docs/decisions.md, "The branch
manager's weekly digest").
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django_q.tasks import async_task

from assignments.figures import PERIOD_DAYS, branch_figures
from assignments.models import BranchDigest
from core.emails import send_templated_email
from core.outbox import RETRY_BATCH, outbox_due, outbox_requeue, outbox_send
from core.roles import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DIGEST_DAYS = 7


def branch_managers() -> QuerySet[User]:
    """Return the branch managers a digest goes to: active, with an email and a branch of their own."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.BRANCH_MANAGER, staff_profile__branch__isnull=False)
        .exclude(email="")
        .distinct()
    )


def digest_week_of(today: date) -> date:
    """Return the Monday of the week a digest sent on `today` covers: the last full week, Monday to Sunday."""
    return today - timedelta(days=today.weekday() + DIGEST_DAYS)


def branch_digests_create(*, today: date | None = None) -> int:
    """Record last week's digest of each branch manager and queue its email; return how many were recorded.

    Run every Monday morning by a django-q2 schedule. A branch manager who already has
    the digest of that week gets nothing more: a rerun, or another run at the same time,
    finds her row (the unique constraint settles the race) and queues nothing.
    """
    week_of = digest_week_of(today or timezone.localdate())
    queued = 0
    recipients = branch_managers().order_by("staff_profile__branch", "pk").values_list("pk", "staff_profile__branch")
    for recipient_id, branch_id in recipients:
        with transaction.atomic():
            digest, created = BranchDigest.objects.get_or_create(
                branch_id=branch_id, recipient_id=recipient_id, week_of=week_of
            )
            if created:
                transaction.on_commit(lambda pk=digest.pk: async_task(branch_digest_send, digest_id=pk))
                queued += 1
    return queued


def branch_digest_send(*, digest_id: int) -> bool:
    """Email one digest to its branch manager, unless it was sent; return whether it went now.

    The digest is claimed, the email sent outside any transaction and the result recorded
    (`core.outbox`): a failed send is tried again by `branch_digests_retry_due`.
    """
    return outbox_send(BranchDigest, digest_id, sent_field="sent_at", send=_branch_digest_email)


def _branch_digest_email(digest_id: int) -> bool:
    """Send the digest's email; return False when its recipient no longer manages the branch or has no email."""
    digest = BranchDigest.objects.select_related("branch", "recipient").get(pk=digest_id)
    if not branch_managers().filter(pk=digest.recipient_id, staff_profile__branch=digest.branch_id).exists():
        # Not a failure for staff to act on: an earlier attempt's error goes with it.
        BranchDigest.objects.filter(pk=digest_id).update(send_error="")
        return False
    last_day = digest.week_of + timedelta(days=DIGEST_DAYS - 1)
    send_templated_email(
        "branch_digest",
        to=digest.recipient.email,
        context={
            "branch": digest.branch,
            "since": digest.week_of,
            "until": last_day,
            "figures": branch_figures(digest.branch, today=last_day, days=DIGEST_DAYS),
            "dashboard_url": settings.SITE_URL + reverse("branch_dashboard:index"),
            "dashboard_days": PERIOD_DAYS,
        },
    )
    return True


def branch_digests_retry_due(*, now: datetime | None = None) -> int:
    """Send again the digests whose email failed or whose worker died; return how many went.

    Run every few minutes by a django-q2 schedule.
    """
    due = outbox_due(BranchDigest.objects.all(), sent_field="sent_at", now=now or timezone.now())
    ids = list(due.values_list("pk", flat=True)[:RETRY_BATCH])
    return sum(branch_digest_send(digest_id=pk) for pk in ids)


def branch_digest_resend(*, digest: BranchDigest, actor: User) -> bool:
    """Queue an unsent digest with its attempts given back; return False if it went meanwhile.

    The digest records who sent it again and when.
    """
    with transaction.atomic():
        if not outbox_requeue(BranchDigest, digest.pk, sent_field="sent_at"):
            return False
        BranchDigest.objects.filter(pk=digest.pk).update(resent_by=actor, resent_at=timezone.now())
        digest_id = digest.pk
        transaction.on_commit(lambda: async_task(branch_digest_send, digest_id=digest_id))
    return True
