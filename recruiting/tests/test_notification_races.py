"""Claim, then send, outside the test transaction: no email goes out under a lock, and two workers send one."""

import threading
from unittest import mock

import pytest
from django.core import mail
from django.db import connection

from recruiting import services
from recruiting.models import Notification
from recruiting.tests.factories import make_applicant

# Outside a test transaction, so what runs sees `in_atomic_block` as the worker does.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _unsent(open_round) -> Notification:
    notification = Notification.objects.get(applicant=make_applicant(open_round))
    # The confirmation went out at commit; make it unsent again.
    Notification.objects.filter(pk=notification.pk).update(sent_at=None)
    mail.outbox.clear()
    return notification


def test_no_email_is_sent_inside_a_transaction(open_round):
    notification = _unsent(open_round)
    seen = []

    def send(*args, **kwargs) -> None:
        seen.append(connection.in_atomic_block)

    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=send):
        assert services.notification_send(notification_id=notification.pk) is True
    assert seen == [False]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's concurrent writers")
def test_two_workers_claiming_the_same_notification_send_it_once(open_round):
    notification = _unsent(open_round)
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def work(index: int) -> None:
        try:
            barrier.wait()
            results[index] = services.notification_send(notification_id=notification.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    assert len(mail.outbox) == 1
