"""The assignments app's models: the pool of consultants, their morning meetings, the book of orphaned customers,
and the branch managers' weekly digests."""

from assignments.models.book import (
    BookImport,
    BookImportEvent,
    BookImportRow,
    BookImportStatus,
    Contract,
    Customer,
    CustomerAccessReason,
    CustomerAccessRecord,
    ProductLine,
)
from assignments.models.contacts import Contact, ContactKind, ContactOutcome
from assignments.models.digests import BranchDigest
from assignments.models.meetings import ConsultantAttendance, ConsultantAttendanceChange
from assignments.models.notices import CustomerLetterBatch, CustomerNotice, NoticeChannel
from assignments.models.pool import (
    ASSIGNABLE,
    POOL_MEMBER_TRANSITIONS,
    PoolMember,
    PoolMemberEvent,
    PoolMemberQuerySet,
    PoolMemberStatus,
)
from assignments.models.runs import (
    RUN_TRANSITIONS,
    Assignment,
    AssignmentRun,
    AssignmentRunEvent,
    AssignmentSettings,
    PlacementReason,
    RunStatus,
    RunTrigger,
)

__all__ = [
    "RUN_TRANSITIONS",
    "Assignment",
    "AssignmentRun",
    "AssignmentRunEvent",
    "AssignmentSettings",
    "NoticeChannel",
    "PlacementReason",
    "RunStatus",
    "RunTrigger",
    "ASSIGNABLE",
    "POOL_MEMBER_TRANSITIONS",
    "BookImport",
    "BookImportEvent",
    "BookImportRow",
    "BookImportStatus",
    "BranchDigest",
    "ConsultantAttendance",
    "ConsultantAttendanceChange",
    "Contact",
    "ContactKind",
    "ContactOutcome",
    "Contract",
    "Customer",
    "CustomerLetterBatch",
    "CustomerNotice",
    "CustomerAccessReason",
    "CustomerAccessRecord",
    "PoolMember",
    "PoolMemberEvent",
    "PoolMemberQuerySet",
    "PoolMemberStatus",
    "ProductLine",
]
