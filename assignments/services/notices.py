"""The customer's notice of her new manager (DESIGN §1: "learn who the new manager is; confirm she is real").

Applying a run creates, in its own transaction, one `CustomerNotice` per customer it gave a
new consultant (`customer_notices_create`), with the words frozen: a text message for a
customer with a mobile, a letter for one without. After commit the worker sends the text
messages in small tasks (`customer_notices_send`) and renders the run's letters in batches
of at most LETTERS_PER_BATCH, one PDF each (`customer_letters_render`). Both go through
`core.outbox`: claimed in a short transaction, sent outside any lock, recorded; a failure is tried again by
`customer_notices_retry_due` and listed for HR among the unsent messages. Each text message
carries the notice's own id, so a repeat after a worker died between sending and recording
is dropped by the channel (core.notices): a notice reaches its customer once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Case, Count, DateTimeField, F, Max, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_q.tasks import async_task

from assignments.letters import LetterData, LetterRenderer
from assignments.models import (
    Assignment,
    AssignmentRun,
    CustomerLetterBatch,
    CustomerNotice,
    NoticeChannel,
    PoolMember,
)
from assignments.models.notices import LETTERS_PER_BATCH
from core.notices import text_message_send
from core.outbox import (
    MAX_ATTEMPTS,
    SEND_FAILED,
    first_attempt_due,
    outbox_due,
    outbox_requeue,
    outbox_send,
    outbox_unsent,
)
from core.states import state_record
from curriculum.certificates.renderer import korean_date

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Text messages per task: at the gateway's longest wait (NOTICE_HTTP_TIMEOUT, 5 s by
# default) a task still ends within the worker's timeout (120 s).
SEND_CHUNK = 20
# Due notices the retry job queues again per run; it runs every five minutes.
RETRY_LIMIT = 5000
# The paragraphs of a letter, as its notice's text keeps them.
PARAGRAPH_BREAK = "\n\n"

# A customer the run gave a new consultant: none before, or another one (null-safe, as the plan's page counts).
GETS_A_NEW_CONSULTANT = Q(to_consultant__isnull=False) & (
    Q(from_consultant__isnull=True)
    | Q(from_consultant__lt=F("to_consultant"))
    | Q(from_consultant__gt=F("to_consultant"))
)


def verification_url(member: PoolMember) -> str:
    """Return the public address of the page that confirms `member` is one of ours."""
    return settings.SITE_URL + reverse("consultants:verify", args=[member.verification_code])


def notice_text_message(member: PoolMember) -> str:
    """Return the text message that tells a customer `member` is her new manager: no data of hers in it."""
    return _(
        "[%(branch)s] Your new manager is %(name)s. Questions: %(phone)s. Check that your consultant is one of "
        "ours: %(url)s We never ask you to transfer money or to install an app."
    ) % {
        "branch": member.branch,
        "name": member.enrollment.applicant.name,
        "phone": member.branch.phone,
        "url": verification_url(member),
    }


def notice_letter_text(member: PoolMember) -> str:
    """Return the paragraphs of the letter that tells a customer `member` is her new manager."""
    branch = member.branch
    paragraphs = [
        _(
            "The planner who looked after your insurance contracts has left. From now on %(name)s, a consultant "
            "of our %(branch)s, looks after them for you."
        )
        % {"name": member.enrollment.applicant.name, "branch": branch},
        _(
            "She will contact you soon to check your cover with you and to answer your questions. You may also "
            "call the branch at %(phone)s at any time."
        )
        % {"phone": branch.phone},
        _(
            "We never ask you to transfer money, to install an app, or for card numbers or passwords. If anyone "
            "does so in our name, hang up and call the branch."
        ),
    ]
    return PARAGRAPH_BREAK.join(paragraphs)


def customer_notices_create(*, run: AssignmentRun) -> int:
    """Create the notices of a run being applied and queue their sending after commit; return how many.

    Called by `assignment_run_apply` in its transaction, which holds the run's and its
    customers' locks, so the notices exist exactly when the run is applied. The rows are
    inserted by one INSERT ... SELECT from the run's assignments, whatever the book's size;
    the words are written per receiving consultant.
    """
    created = _notices_insert(run, now=timezone.now())
    if created:
        run_id = run.pk
        # One task, whatever the run's size: the apply stays one short transaction and a
        # constant number of queries; the worker words the notices and queues their sending.
        transaction.on_commit(lambda: async_task(customer_notices_dispatch, run_id=run_id))
    return created


def customer_notices_dispatch(*, run_id: int) -> int:
    """Word the new notices of an applied run, per receiving consultant, and queue their sending; return how many.

    Run once by the worker after the apply commits. The words are written once (only on
    notices still without them), so a second run of this task, or a retry, sends the same
    words; a run's letters are put in numbered batches once (`_letters_batch`).
    """
    notices = CustomerNotice.objects.filter(run_id=run_id)
    unworded = notices.filter(text="")
    members = PoolMember.objects.filter(pk__in=unworded.values("consultant")).select_related(
        "branch", "enrollment__applicant"
    )
    for member in members:
        unworded.filter(consultant=member).update(
            text=Case(
                When(channel=NoticeChannel.TEXT, then=Value(notice_text_message(member))),
                default=Value(notice_letter_text(member)),
            )
        )
    batch_ids = _letters_batch(run_id)
    unsent = notices.filter(channel=NoticeChannel.TEXT, sent_at__isnull=True)
    text_ids = list(unsent.order_by("pk").values_list("pk", flat=True))
    _queue_sending(text_ids, batch_ids)
    return len(text_ids)


def _letters_batch(run_id: int) -> list[int]:
    """Put the run's letters that have no batch yet into new batches of LETTERS_PER_BATCH; return their ids.

    The run's row is locked while it is done, so a second run of the dispatch (a retry)
    waits and then finds every letter in a batch. Letters go by customer number, so a
    batch is a stretch of the book a person can check against a list.
    """
    with transaction.atomic():
        AssignmentRun.objects.select_for_update().get(pk=run_id)
        unbatched = list(
            CustomerNotice.objects.filter(run_id=run_id, channel=NoticeChannel.LETTER, letter_batch__isnull=True)
            .order_by("customer__number", "pk")
            .values_list("pk", flat=True)
        )
        last = CustomerLetterBatch.objects.filter(run_id=run_id).aggregate(last=Max("number"))["last"] or 0
        batch_ids = []
        for offset, start in enumerate(range(0, len(unbatched), LETTERS_PER_BATCH), start=1):
            batch = CustomerLetterBatch.objects.create(run_id=run_id, number=last + offset)
            CustomerNotice.objects.filter(pk__in=unbatched[start : start + LETTERS_PER_BATCH]).update(
                letter_batch=batch
            )
            batch_ids.append(batch.pk)
    return batch_ids


def _notices_insert(run: AssignmentRun, *, now: datetime) -> int:
    """Insert a notice for each customer the run gives a new consultant; return how many.

    A customer with a mobile gets a text message, due for the retry job after the queued
    task had its chance (`first_attempt_due`); one without gets a letter, which the run's
    letter batch sends, so the retry job leaves it alone (no next attempt).
    """
    no_mobile = Q(customer__mobile="")
    rows = (
        Assignment.objects.filter(GETS_A_NEW_CONSULTANT, run=run)
        .order_by()
        .values_list(
            "run_id",
            "customer_id",
            "to_consultant_id",
            Case(When(no_mobile, then=Value(NoticeChannel.LETTER)), default=Value(NoticeChannel.TEXT)),
            Value(""),
            Value(now, output_field=DateTimeField()),
            Value(0),
            Value(""),
            Case(When(no_mobile, then=None), default=Value(first_attempt_due(), output_field=DateTimeField())),
        )
    )
    select, params = rows.query.sql_with_params()
    names = (
        "run",
        "customer",
        "consultant",
        "channel",
        "text",
        "created_at",
        "send_attempts",
        "send_error",
        "send_next_attempt_at",
    )
    quote = connection.ops.quote_name
    columns = ", ".join(quote(CustomerNotice._meta.get_field(name).column) for name in names)
    table = quote(CustomerNotice._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {select}", params)  # noqa: S608 - our names, bound values
        return cursor.rowcount


def _queue_sending(text_ids: list[int], batch_ids: list[int]) -> None:
    """Queue the text messages in tasks of SEND_CHUNK, and the rendering of each letter batch."""
    for start in range(0, len(text_ids), SEND_CHUNK):
        async_task(customer_notices_send, notice_ids=text_ids[start : start + SEND_CHUNK])
    for batch_id in batch_ids:
        async_task(customer_letters_render, batch_id=batch_id)


def customer_notices_send(*, notice_ids: list[int]) -> int:
    """Send the text messages of these notices, each once; return how many went now."""
    return sum(customer_notice_send(notice_id=pk) for pk in notice_ids)


def customer_notice_send(*, notice_id: int) -> bool:
    """Send one notice's text message once; return whether it went now.

    The notice is claimed, sent outside any transaction and recorded (`core.outbox`); a
    failure is recorded on the row and tried again by `customer_notices_retry_due`.
    """
    return outbox_send(CustomerNotice, notice_id, sent_field="sent_at", send=_notice_text_message_send)


def _notice_text_message_send(notice_id: int) -> bool:
    """Hand the notice's text to the channel; return False when there is nothing to send any more."""
    notice = CustomerNotice.objects.select_related("customer").get(pk=notice_id)
    customer = notice.customer
    # Her consultant changed again (an undo, a newer run) before the message went: telling her
    # of a manager she no longer has would confuse her more than no message. Her mobile went
    # with the rest of her data when she was destroyed.
    if customer.consultant_id != notice.consultant_id or not customer.mobile or not notice.text:
        # Not a failure for staff to act on: an earlier attempt's error goes with it.
        CustomerNotice.objects.filter(pk=notice_id).update(send_error="")
        return False
    text_message_send(to=customer.mobile, text=notice.text, message_id=notice.message_id)
    return True


def customer_letters_render(*, batch_id: int) -> bool:
    """Render a batch of the run's letters into one PDF once; return whether it was rendered now.

    The batch is claimed like an email (`core.outbox`), so two workers never render it
    both, and a failure is recorded on it and tried again.
    """
    return outbox_send(CustomerLetterBatch, batch_id, sent_field="rendered_at", send=_letters_render)


def _letter_notices(batch: CustomerLetterBatch) -> QuerySet[CustomerNotice]:
    """Return the batch's letters still to print: customers who still have the consultant the letter names."""
    return (
        CustomerNotice.objects.filter(
            letter_batch=batch,
            sent_at__isnull=True,
            customer__consultant=F("consultant"),
            customer__anonymised_at__isnull=True,
        )
        .exclude(text="")
        .select_related("customer", "consultant__branch", "consultant__enrollment__applicant")
        .order_by("customer__number", "pk")
    )


def _letters_render(batch_id: int) -> bool:
    batch = CustomerLetterBatch.objects.get(pk=batch_id)
    # A worker died after saving the PDF and before recording it: the letters are done.
    if batch.pdf:
        return True
    notices = list(_letter_notices(batch))
    if not notices:
        return False
    dated = korean_date(timezone.localdate())
    pdf = LetterRenderer().render([_letter_data(notice, dated=dated) for notice in notices])
    with transaction.atomic():
        batch = CustomerLetterBatch.objects.select_for_update().get(pk=batch_id)
        if not batch.pdf:
            batch.letters = len(notices)
            # The field gives the file a random name in the private storage.
            batch.pdf.save("letters.pdf", ContentFile(pdf), save=False)
            batch.save(update_fields=["pdf", "letters"])
            CustomerNotice.objects.filter(pk__in=[notice.pk for notice in notices]).update(sent_at=timezone.now())
    return True


def _letter_data(notice: CustomerNotice, *, dated: str) -> LetterData:
    member = notice.consultant
    branch = member.branch
    url = verification_url(member)
    return LetterData(
        recipient_name=_("To %(name)s") % {"name": notice.customer.name},
        recipient_address=notice.customer.address,
        sender=(str(branch), branch.address, _("Phone %(phone)s") % {"phone": branch.phone}),
        title=_("Your new manager"),
        paragraphs=tuple(notice.text.split(PARAGRAPH_BREAK)),
        check_heading=_("Check that your consultant is one of ours"),
        check_lines=(
            _("Scan the QR code or open this address:"),
            url,
            _("Verification code: %(code)s") % {"code": member.verification_code},
        ),
        verify_url=url,
        dated=dated,
        signature=str(branch),
    )


def customer_notices_retry_due(*, now: datetime | None = None) -> int:
    """Queue again the text messages that failed or whose worker died, and render letters that did not; return how many.

    Run every five minutes by a django-q2 schedule. The messages go in tasks of
    SEND_CHUNK, like the first time, so a gateway that was down for a large run is caught
    up in minutes; a message queued twice is claimed once.
    """
    now = now or timezone.now()
    due = outbox_due(CustomerNotice.objects.filter(channel=NoticeChannel.TEXT), sent_field="sent_at", now=now)
    text_ids = list(due.values_list("pk", flat=True)[:RETRY_LIMIT])
    batches = outbox_due(CustomerLetterBatch.objects.all(), sent_field="rendered_at", now=now)
    batch_ids = list(batches.values_list("pk", flat=True))
    _queue_sending(text_ids, batch_ids)
    return len(text_ids) + len(batch_ids)


def customer_notices_resend(*, run: AssignmentRun, actor: User) -> int:
    """Give every text message of the run that could not be sent its attempts back and queue it; return how many.

    The run's history records who sent them again.
    """
    with transaction.atomic():
        unsent = outbox_unsent(CustomerNotice.objects.filter(run=run, channel=NoticeChannel.TEXT), sent_field="sent_at")
        text_ids = list(unsent.order_by("pk").values_list("pk", flat=True))
        if not text_ids:
            return 0
        # What core.outbox.outbox_requeue does for one row, for all of them at once.
        CustomerNotice.objects.filter(pk__in=unsent.values("pk")).update(
            send_attempts=0, send_next_attempt_at=timezone.now()
        )
        state_record(
            run,
            actor=actor,
            note=ngettext(
                "The notice to %(count)s customer sent again by staff.",
                "The notices to %(count)s customers sent again by staff.",
                len(text_ids),
            )
            % {"count": len(text_ids)},
        )
        transaction.on_commit(lambda: _queue_sending(text_ids, []))
    return len(text_ids)


def customer_letters_resend(*, batch: CustomerLetterBatch, actor: User) -> bool:
    """Queue the rendering of a batch of letters again with its attempts given back; return False if it was rendered."""
    with transaction.atomic():
        if not outbox_requeue(CustomerLetterBatch, batch.pk, sent_field="rendered_at"):
            return False
        state_record(batch.run, actor=actor, note=_("Customer letters rendered again by staff."))
        batch_id = batch.pk
        transaction.on_commit(lambda: async_task(customer_letters_render, batch_id=batch_id))
    return True


def customer_notice_figures(run: AssignmentRun) -> dict[str, int]:
    """Return how the run's notices stand, in one query: text messages sent, waiting, failed and dropped
    (her consultant changed again before it went), and letters in all and printed."""
    text, letter = Q(channel=NoticeChannel.TEXT), Q(channel=NoticeChannel.LETTER)
    sent = Q(sent_at__isnull=False)
    failed = ~sent & SEND_FAILED
    dropped = ~sent & Q(send_next_attempt_at__isnull=True, send_error="", send_attempts__lt=MAX_ATTEMPTS)
    figures = CustomerNotice.objects.filter(run=run).aggregate(
        texts=Count("pk", filter=text),
        texts_sent=Count("pk", filter=text & sent),
        texts_failed=Count("pk", filter=text & failed),
        texts_dropped=Count("pk", filter=text & dropped),
        letters=Count("pk", filter=letter),
        letters_printed=Count("pk", filter=letter & sent),
    )
    figures["texts_waiting"] = (
        figures["texts"] - figures["texts_sent"] - figures["texts_failed"] - figures["texts_dropped"]
    )
    return figures


def customer_notices_prune(*, now: datetime | None = None) -> int:
    """Destroy the words and the letters of notices created CUSTOMER_NOTICE_RETENTION_DAYS ago; return how many.

    The letters' PDF holds the customers' names and addresses, and each text the name of a
    consultant: both served the handover, which is long done. The rows stay (who was told
    of which consultant, how and when), so the run's figures stay true. Part of the daily
    retention job (assignments.retention).
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.CUSTOMER_NOTICE_RETENTION_DAYS)
    for batch in CustomerLetterBatch.objects.filter(created_at__lt=cutoff).exclude(pdf=""):
        batch.pdf.delete(save=False)
        batch.save(update_fields=["pdf"])
    return CustomerNotice.objects.filter(created_at__lt=cutoff).exclude(text="").update(text="")
