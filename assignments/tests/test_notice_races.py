"""Customers' notices with several workers at once, settled by PostgreSQL: each message goes once, the
letters are rendered once."""

from unittest import mock

import pytest
from django.db import connection

from assignments.models import CustomerLetterBatch, CustomerNotice, PoolMember
from assignments.services import (
    assignment_run_apply_request,
    assignment_run_approve,
    assignment_run_plan,
    assignment_run_start,
    pool_member_release,
)
from assignments.services.notices import (
    customer_letters_render,
    customer_notices_dispatch,
    customer_notices_retry_due,
    customer_notices_send,
)
from assignments.tests.factories import make_pool_graduate
from assignments.tests.test_customer_notices import GANGSEO, import_rows
from core.tests.concurrency import in_parallel

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's locking"),
]
WORKERS = 4


@pytest.fixture
def notices_folder(settings, tmp_path):
    settings.NOTICE_BACKEND = "file"
    settings.NOTICE_FILE_PATH = tmp_path / "notices"
    return settings.NOTICE_FILE_PATH


@pytest.fixture
def applied(hana, cohort, member, notices_folder):
    """A run applied over 30 customers with a mobile and 6 without, nothing sent yet (no worker took it)."""
    second, _created = pool_member_release(
        enrollment=make_pool_graduate(cohort, 92, actor=hana, registered=True), actor=hana
    )
    PoolMember.objects.filter(pk__in=[member.pk, second.pk]).update(capacity=200)
    rows = [(f"M{i}", "박서연", f"010-3333-{i:04d}", GANGSEO) for i in range(30)]
    rows += [(f"L{i}", "정하은", "", GANGSEO) for i in range(6)]
    import_rows(rows, actor=hana)
    # Outside a test transaction each step's task runs at its commit (the test settings run tasks
    # inline): the apply request applies the run. The sending it queues is left to the tests below.
    with mock.patch("assignments.services.notices._queue_sending"):
        run = assignment_run_plan(run_id=assignment_run_start(actor=hana, branch=None).pk)
        assignment_run_approve(run=run, actor=hana)
        assignment_run_apply_request(run=run, actor=hana)
    run.refresh_from_db()
    assert run.status == "applied"
    return run


def test_four_workers_sending_the_same_messages_at_once_send_each_once(applied, notices_folder):
    text_ids = list(CustomerNotice.objects.filter(run=applied, channel="sms").values_list("pk", flat=True))
    assert len(text_ids) == 30

    # Two workers run the task queued after the apply (the broker handed it out twice), two run
    # it in the other order, as a retry job would.
    results = in_parallel(
        lambda i: customer_notices_send(notice_ids=text_ids if i % 2 else list(reversed(text_ids))), count=WORKERS
    )

    assert sum(results) == 30, results
    assert len(list(notices_folder.glob("*.txt"))) == 30
    sent = CustomerNotice.objects.filter(pk__in=text_ids)
    assert set(sent.values_list("send_attempts", flat=True)) == {1}, "each was claimed by one worker only"
    assert not sent.filter(sent_at__isnull=True).exists()


def test_the_retry_job_and_the_queued_task_at_once_send_each_message_once(applied, notices_folder, settings):
    text_ids = list(CustomerNotice.objects.filter(run=applied, channel="sms").values_list("pk", flat=True))
    CustomerNotice.objects.filter(pk__in=text_ids).update(send_next_attempt_at=None)
    CustomerNotice.objects.filter(pk__in=text_ids[::2]).update(send_next_attempt_at="2020-01-01T00:00:00Z")

    work = [lambda: customer_notices_send(notice_ids=text_ids), customer_notices_retry_due]
    in_parallel(lambda i: work[i % 2](), count=2)

    assert len(list(notices_folder.glob("*.txt"))) == 30
    assert set(CustomerNotice.objects.filter(pk__in=text_ids).values_list("send_attempts", flat=True)) == {1}


def test_four_workers_rendering_the_letters_at_once_render_them_once(applied, settings):
    batch = CustomerLetterBatch.objects.get(run=applied)
    folder = settings.PRIVATE_MEDIA_ROOT / "customer-letters"
    # Earlier tests of this process may have left letters in the shared private folder.
    before = {path.name for path in folder.iterdir()} if folder.exists() else set()

    results = in_parallel(lambda i: customer_letters_render(batch_id=batch.pk), count=WORKERS)

    assert sorted(results, key=str) == [False, False, False, True], results
    batch.refresh_from_db()
    assert batch.letters == 6
    assert batch.send_attempts == 1
    assert [path.name for path in folder.iterdir() if path.name not in before] == [batch.pdf.name.split("/")[-1]]


def test_four_dispatches_at_once_put_each_letter_in_one_batch(applied):
    # As the apply left them before its dispatch ran: letters without a batch.
    CustomerLetterBatch.objects.filter(run=applied).delete()
    assert not CustomerNotice.objects.filter(run=applied, letter_batch__isnull=False).exists()

    with (
        mock.patch("assignments.services.notices._queue_sending"),
        mock.patch("assignments.services.notices.LETTERS_PER_BATCH", 4),
    ):
        in_parallel(lambda i: customer_notices_dispatch(run_id=applied.pk), count=WORKERS)

    batches = CustomerLetterBatch.objects.filter(run=applied).order_by("number")
    assert [(batch.number, batch.notices.count()) for batch in batches] == [(1, 4), (2, 2)]
    assert not CustomerNotice.objects.filter(run=applied, channel="letter", letter_batch__isnull=True).exists()
