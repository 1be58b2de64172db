"""The assignments app's writes: the pool (`pool`), the customer book (`book`), assignment runs (`runs`),
the consultant's contacts with her customers (`contacts`)."""

from assignments.services.book import book_import_run, book_import_start
from assignments.services.contacts import contact_record
from assignments.services.pool import (
    REASON_MAX_LENGTH,
    cohort_release_to_pool,
    pool_member_anonymise,
    pool_member_leave,
    pool_member_release,
    pool_member_return,
    pool_member_take_leave,
    pool_release_due,
)
from assignments.services.runs import (
    assignment_run_apply,
    assignment_run_apply_request,
    assignment_run_approve,
    assignment_run_discard,
    assignment_run_plan,
    assignment_run_start,
    assignment_run_undo,
)

__all__ = [
    "REASON_MAX_LENGTH",
    "assignment_run_apply",
    "assignment_run_apply_request",
    "assignment_run_approve",
    "assignment_run_discard",
    "assignment_run_plan",
    "assignment_run_start",
    "assignment_run_undo",
    "book_import_run",
    "book_import_start",
    "cohort_release_to_pool",
    "contact_record",
    "pool_member_anonymise",
    "pool_member_leave",
    "pool_member_release",
    "pool_member_return",
    "pool_member_take_leave",
    "pool_release_due",
]
