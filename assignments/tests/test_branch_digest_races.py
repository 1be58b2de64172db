"""Two weekly digest jobs at once record one digest per branch manager and send it once: the unique
constraint settles the race."""

from datetime import date

import pytest
from django.core import mail
from django.db import connection

from assignments.models import BranchDigest
from assignments.services import branch_digests_create
from core.roles import Role
from core.tests.concurrency import in_parallel
from recruiting.tests.factories import make_staff

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's concurrent transactions"),
]


def test_two_jobs_at_once_send_one_digest(roles, gangseo):
    manager = make_staff("mina", Role.BRANCH_MANAGER, gangseo)
    manager.email = "mina@example.com"
    manager.save(update_fields=["email"])
    mail.outbox.clear()

    results = in_parallel(lambda _index: branch_digests_create(today=date(2027, 5, 10)), count=2)

    assert sorted(results) == [0, 1], results
    assert BranchDigest.objects.filter(recipient=manager, week_of=date(2027, 5, 3)).count() == 1
    assert [message.to for message in mail.outbox] == [["mina@example.com"]]
