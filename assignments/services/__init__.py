"""The assignments app's writes: the pool (`pool`), the customer book (`book`), assignment runs (`runs`),
the consultant's contacts with her customers (`contacts`), the consultants' morning meeting (`meetings`),
the branch managers' weekly digest (`digests`)."""

from assignments.services.book import book_import_run, book_import_start
from assignments.services.contacts import contact_record
from assignments.services.digests import (
    branch_digest_resend,
    branch_digest_send,
    branch_digests_create,
    branch_digests_retry_due,
)
from assignments.services.meetings import consultant_attendance_save
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
    "branch_digest_resend",
    "branch_digest_send",
    "branch_digests_create",
    "branch_digests_retry_due",
    "cohort_release_to_pool",
    "consultant_attendance_save",
    "contact_record",
    "pool_member_anonymise",
    "pool_member_leave",
    "pool_member_release",
    "pool_member_return",
    "pool_member_take_leave",
    "pool_release_due",
]
