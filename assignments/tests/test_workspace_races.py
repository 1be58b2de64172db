"""A double tap that reaches two web processes at once records one contact: the customer's row lock settles it."""

import pytest
from django.db import connection

from assignments.models import Contact, ContactKind
from assignments.services import contact_record
from assignments.tests.workspace_fixtures import book_line, give_customers
from core.tests.concurrency import in_parallel

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's locking"),
]


def test_four_taps_at_once_record_one_contact(member, hana):
    (customer,) = give_customers(member, [book_line(1)], actor=hana)

    results = in_parallel(
        lambda _index: contact_record(
            consultant=member, customer=customer, kind=ContactKind.VISIT, reached=True, note="방문"
        ),
        count=4,
    )

    assert sorted(created for _contact, created in results) == [False, False, False, True], results
    assert Contact.objects.count() == 1
