"""A real django-q2 worker process sends the confirmation queued by an application."""

import time

import pytest
from django.db import connection
from django_q.conf import Conf
from django_q.models import OrmQ

from recruiting.models import Notification
from recruiting.tests.factories import make_applicant
from recruiting.tests.worker import start_qcluster, stop_qcluster

# The worker is another process: it can only see a database it can connect to, which
# SQLite's in-memory test database is not.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker needs a shared database"),
]


def test_the_qcluster_sends_the_confirmation_once(open_round, monkeypatch, tmp_path):
    monkeypatch.setattr(Conf, "SYNC", False)  # the test settings run tasks inline; here the worker must
    applicant = make_applicant(open_round)
    assert OrmQ.objects.count() == 1

    worker = start_qcluster(tmp_path)
    try:
        notification = Notification.objects.get(applicant=applicant)
        deadline = time.monotonic() + 60
        while notification.sent_at is None and time.monotonic() < deadline:
            time.sleep(0.5)
            notification.refresh_from_db()
    finally:
        stop_qcluster(worker)

    assert notification.sent_at is not None
    emails = list((tmp_path / "mail").glob("*.log"))
    assert len(emails) == 1
    assert "seoyeon@example.com" in emails[0].read_text()
