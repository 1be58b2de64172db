"""Races settled by PostgreSQL: row locks and unique constraints (SQLite serialises writers)."""

import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from recruiting import tasks
from recruiting.models import Applicant, Notification
from recruiting.tests.factories import make_applicant

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's locking"),
]
CLIENTS = 10


def _in_parallel(work, count: int = CLIENTS) -> list:
    """Run `work(i)` in `count` threads released together; return their results in order."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:  # noqa: BLE001 - the test asserts on it
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_ten_simultaneous_submits_make_one_applicant(apply_url, form_data, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "apply:address": (100, 3600), "apply:mobile": (100, 3600)}
    responses = _in_parallel(lambda i: Client(REMOTE_ADDR=f"10.0.0.{i}").post(apply_url, form_data))
    assert [getattr(r, "status_code", r) for r in responses] == [302] * CLIENTS
    assert Applicant.objects.count() == 1
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_notification_sent_by_two_workers_at_once_goes_out_once(open_round):
    notification = Notification.objects.get(applicant=make_applicant(open_round))
    # Outside a test transaction the confirmation went out at commit; send it "again".
    Notification.objects.update(sent_at=None)
    mail.outbox.clear()
    results = _in_parallel(lambda i: tasks.notification_send(notification.pk), count=4)
    assert sorted(results, key=str) == [False, False, False, True]
    assert len(mail.outbox) == 1
