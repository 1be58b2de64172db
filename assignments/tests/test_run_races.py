"""Races of the assignment runs and the book import, settled by PostgreSQL's row locks and constraints."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from assignments.errors import BookError
from assignments.models import AssignmentRun, BookImport, Customer, PoolMember, RunStatus
from assignments.services import (
    assignment_run_apply,
    assignment_run_apply_request,
    assignment_run_approve,
    assignment_run_plan,
    assignment_run_start,
    assignment_run_undo,
    book_import_start,
    pool_member_release,
)
from assignments.tests.factories import book_csv, import_book, make_pool_graduate
from core.tests.concurrency import in_parallel

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's locking"),
]
GANGSEO = "서울특별시 강서구 공항대로 247"


@pytest.fixture
def book(hana, cohort, member):
    enrollment = make_pool_graduate(cohort, 92, actor=hana, registered=True)
    second, _created = pool_member_release(enrollment=enrollment, actor=hana)
    PoolMember.objects.filter(pk__in=[member.pk, second.pk]).update(capacity=200)
    import_book(book_csv([(f"G{i}", GANGSEO, 10000 * (i + 1)) for i in range(12)]), actor=hana)
    return Customer.objects.all()


def _planned(hana) -> AssignmentRun:
    run = assignment_run_start(actor=hana, branch=None)
    return assignment_run_plan(run_id=run.pk)


def test_two_approvals_at_once_approve_once(hana, book):
    run = _planned(hana)
    results = in_parallel(lambda i: assignment_run_approve(run=run, actor=hana), count=2)
    assert sorted(type(result).__name__ for result in results) == ["AssignmentRun", "RunError"]
    assert list(run.events.values_list("to_status", flat=True)).count(RunStatus.APPROVED) == 1


def test_two_workers_applying_at_once_apply_once(hana, book):
    run = _planned(hana)
    assignment_run_approve(run=run, actor=hana)
    # Two workers picked up the same apply (a request queued twice, a retry after a timeout).
    results = in_parallel(lambda i: assignment_run_apply(run_id=run.pk, actor_id=hana.pk), count=4)
    assert all(result.status == RunStatus.APPLIED for result in results), results
    applied = AssignmentRun.objects.get(pk=run.pk)
    assert applied.figures["applied_changes"] == 12
    planned = dict(applied.assignments.values_list("customer_id", "to_consultant_id"))
    assert dict(Customer.objects.values_list("pk", "consultant_id")) == planned


def test_two_plans_applied_at_once_leave_one_stale(hana, book):
    first, second = _planned(hana), _planned(hana)
    for run in (first, second):
        assignment_run_approve(run=run, actor=hana)
    results = in_parallel(lambda i: assignment_run_apply(run_id=(first, second)[i].pk, actor_id=hana.pk), count=2)
    statuses = sorted(result.status for result in results)
    assert statuses == [RunStatus.APPLIED, RunStatus.APPROVED], "the second finds the book changed under it"
    refused = next(result for result in results if result.status == RunStatus.APPROVED)
    assert refused.failure


def test_two_undos_at_once_undo_once(hana, book):
    run = _planned(hana)
    assignment_run_approve(run=run, actor=hana)
    assignment_run_apply_request(run=run, actor=hana)
    run = assignment_run_apply(run_id=run.pk, actor_id=hana.pk)
    results = in_parallel(lambda i: assignment_run_undo(run=run, actor=hana, reason="동시에 되돌리기"), count=2)
    assert sorted(type(result).__name__ for result in results) == ["AssignmentRun", "RunError"]
    assert not Customer.objects.filter(consultant__isnull=False).exists()


def test_the_same_file_uploaded_twice_at_once_is_one_import(hana):
    content = book_csv([(f"G{i}", GANGSEO, 10000) for i in range(5)])
    results = in_parallel(
        lambda i: book_import_start(upload=SimpleUploadedFile("book.csv", content), actor=hana), count=4
    )
    assert not [result for result in results if isinstance(result, Exception) and not isinstance(result, BookError)]
    assert BookImport.objects.count() == 1
    assert Customer.objects.count() == 5
