"""Claim, then send: every email the product sends goes out through `outbox_send`.

A row that records an email (a notification, a certificate, an attendance warning)
carries the fields of `OutboxFields` and a field of its own that holds when it was sent.
Sending takes three steps, none of them holding a row lock while the network is used:

1. claim the row in a short transaction with a conditional update;
2. send, outside any transaction;
3. record the result: the time it went, or the error and when to try again.

A failed send is tried again by each app's retry job with a growing pause
(`RETRY_PAUSES`); after the last one the row is "unsent" and staff see it in the list of
unsent emails, from which it can be sent again.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import models, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# The pauses before the 2nd, 3rd, … attempt; after the last attempt the email is unsent.
RETRY_PAUSES = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(RETRY_PAUSES) + 1
# A claim older than this belongs to a worker that died mid-send: another may take it.
# It is well above the worker's task timeout, so a slow send is never taken twice.
CLAIM_TIMEOUT = timedelta(minutes=10)
# How many due emails one run of a retry job sends, so that a run ends within the timeout.
RETRY_BATCH = 100


def first_attempt_due() -> datetime:
    """Return when the retry job first looks at a new row: after its queued task had time to send it."""
    return timezone.now() + CLAIM_TIMEOUT


class OutboxFields(models.Model):
    """The fields of a row whose email is claimed, sent and retried through `outbox_send`."""

    send_claimed_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When a worker took this email to send it")
    )
    send_attempts = models.PositiveSmallIntegerField(default=0)
    send_error = models.TextField(blank=True, help_text=_("Why the last attempt to send failed"))
    send_next_attempt_at = models.DateTimeField(
        null=True, blank=True, default=first_attempt_due, help_text=_("When the email is tried again; empty when done")
    )

    class Meta:
        abstract = True

    @property
    def send_failed(self) -> bool:
        """Return whether the last attempt failed or the attempts are used up (`SEND_FAILED`, row by row)."""
        return bool(self.send_error) or self.send_attempts >= MAX_ATTEMPTS

    @property
    def send_retrying(self) -> bool:
        """Return whether a failed email is still tried again by itself."""
        return self.send_attempts < MAX_ATTEMPTS


# An email whose last attempt failed, or that used up its attempts: what staff see as unsent.
SEND_FAILED = ~Q(send_error="") | Q(send_attempts__gte=MAX_ATTEMPTS)


def outbox_due(queryset: QuerySet, *, sent_field: str, now: datetime) -> QuerySet:
    """Return the rows of `queryset` whose email is not sent and due for another attempt.

    A claim that went stale is due too: claiming moves the next attempt to when the
    claim goes stale, so a worker killed mid-send leaves its row due then.
    """
    return queryset.filter(
        **{f"{sent_field}__isnull": True},
        send_next_attempt_at__lte=now,
        send_attempts__lt=MAX_ATTEMPTS,
    ).order_by("send_next_attempt_at", "pk")


def outbox_unsent(queryset: QuerySet, *, sent_field: str) -> QuerySet:
    """Return the rows of `queryset` whose email failed at least once, or used up its attempts, and has not gone."""
    return queryset.filter(**{f"{sent_field}__isnull": True}).filter(SEND_FAILED)


def _claim(model: type[models.Model], pk: int, *, sent_field: str, now: datetime) -> bool:
    # Two workers (the queued task and the retry job, or two retries) may reach the same
    # row at once: only one conditional update matches, and the other finds 0 rows. A
    # claim older than CLAIM_TIMEOUT is taken over: its worker died before recording.
    with transaction.atomic():
        claimed = (
            model.objects.filter(pk=pk, **{f"{sent_field}__isnull": True})
            .filter(Q(send_claimed_at__isnull=True) | Q(send_claimed_at__lt=now - CLAIM_TIMEOUT))
            .update(
                send_claimed_at=now,
                send_attempts=F("send_attempts") + 1,
                send_next_attempt_at=now + CLAIM_TIMEOUT,
            )
        )
    return claimed == 1


def outbox_send(model: type[models.Model], pk: int, *, sent_field: str, send: Callable[[int], bool]) -> bool:
    """Claim the row `pk` of `model`, call `send` with its pk outside any transaction, and record the result.

    `send` returns False when there is nothing to send (the appointment was cancelled,
    the person has no address): the row is then left alone by the retry job. Return
    whether the email went now. A row already sent, or claimed by another worker, is not
    sent again; an email the mail server accepted just before the worker died, before
    it was recorded, is sent a second time by the retry job: the accepted trade-off of
    sending outside a lock.
    """
    now = timezone.now()
    if not _claim(model, pk, sent_field=sent_field, now=now):
        return False
    rows = model.objects.filter(pk=pk)
    try:
        sent = send(pk)
    except Exception as error:  # noqa: BLE001 - any failure of the mail server is recorded and retried
        attempts = rows.values_list("send_attempts", flat=True).get()
        retry_at = timezone.now() + RETRY_PAUSES[attempts - 1] if attempts < MAX_ATTEMPTS else None
        rows.update(send_claimed_at=None, send_error=str(error) or type(error).__name__, send_next_attempt_at=retry_at)
        logger.exception("Sending the email of %s %s failed (attempt %s)", model.__name__, pk, attempts)
        return False
    if not sent:
        rows.update(send_claimed_at=None, send_next_attempt_at=None)
        return False
    rows.update(**{sent_field: timezone.now()}, send_claimed_at=None, send_error="", send_next_attempt_at=None)
    return True


def outbox_requeue(model: type[models.Model], pk: int, *, sent_field: str) -> bool:
    """Give an unsent email its attempts back and make it due now; return False if it went meanwhile."""
    return (
        model.objects.filter(pk=pk, **{f"{sent_field}__isnull": True}).update(
            send_attempts=0, send_next_attempt_at=timezone.now()
        )
        == 1
    )
