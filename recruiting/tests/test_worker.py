"""A real django-q2 worker process sends the confirmation queued by an application."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from django_q.conf import Conf
from django_q.models import OrmQ

from recruiting.models import Notification
from recruiting.tests.factories import make_applicant

# The worker is another process: it can only see a database it can connect to, which
# SQLite's in-memory test database is not.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker needs a shared database"),
]


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def test_the_qcluster_sends_the_confirmation_once(open_round, monkeypatch, tmp_path):
    monkeypatch.setattr(Conf, "SYNC", False)  # the test settings run tasks inline; here the worker must
    applicant = make_applicant(open_round)
    assert OrmQ.objects.count() == 1

    env = {**os.environ, "DATABASE_URL": _database_url(), "VAR_DIR": str(tmp_path), "DEBUG": "true"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=open(tmp_path / "worker.log", "w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        notification = Notification.objects.get(applicant=applicant)
        deadline = time.monotonic() + 60
        while notification.sent_at is None and time.monotonic() < deadline:
            time.sleep(0.5)
            notification.refresh_from_db()
    finally:
        # The cluster stops its own processes on SIGTERM; the group kill is the fallback.
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            raise

    assert notification.sent_at is not None
    emails = list((tmp_path / "mail").glob("*.log"))
    assert len(emails) == 1
    assert "seoyeon@example.com" in emails[0].read_text()
