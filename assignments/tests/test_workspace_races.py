"""A double tap that reaches two web processes at once records one contact: the customer's row lock settles it."""

import threading

import pytest
from django.db import connection

from assignments.models import Contact, ContactKind
from assignments.services import contact_record
from assignments.tests.workspace_fixtures import book_line, give_customers

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's locking"),
]


def _in_parallel(work, count: int) -> list:
    """Run `work(i)` in `count` threads released together; return their results (or errors) in order."""
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


def test_four_taps_at_once_record_one_contact(member, hana):
    (customer,) = give_customers(member, [book_line(1)], actor=hana)

    results = _in_parallel(
        lambda _index: contact_record(
            consultant=member, customer=customer, kind=ContactKind.VISIT, reached=True, note="방문"
        ),
        count=4,
    )

    assert sorted(created for _contact, created in results) == [False, False, False, True], results
    assert Contact.objects.count() == 1
