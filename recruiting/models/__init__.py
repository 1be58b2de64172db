"""The recruiting records: branches, rounds, applicants and their history, consents, slots and
appointments, notifications, email changes, and the access log, one module per concern.

Import them from here (`from recruiting.models import Applicant`). The statuses and kinds
the models use are defined with the pipeline's rules in recruiting.pipeline and are
re-exported here for the code that reads them beside the models.
"""

from recruiting.models.access import AccessRecord, ExportReason
from recruiting.models.applicants import (
    ANONYMISED_NAME,
    Applicant,
    ApplicantEvent,
    ApplicantNote,
    ApplicantQuerySet,
    PreferredTime,
    RejectionReason,
    Source,
    new_status_token,
)
from recruiting.models.appointments import (
    APPOINTMENT_TRANSITIONS,
    Appointment,
    AppointmentEvent,
    AppointmentQuerySet,
    AppointmentStatus,
    Slot,
    SlotQuerySet,
)
from recruiting.models.consents import ApplicantConsent, ConsentNotice, ConsentNoticeVersion
from recruiting.models.email_changes import EmailChange
from recruiting.models.notifications import ONCE_ONLY_KINDS, Notification
from recruiting.models.places import Branch, District, Province
from recruiting.models.rounds import RecruitmentRound, RoundQuerySet
from recruiting.models.staff import StaffProfile, in_staff_branch, staff_branch_id
from recruiting.pipeline import ApplicantStatus, NotificationKind, SlotKind

__all__ = [
    "APPOINTMENT_TRANSITIONS",
    "ONCE_ONLY_KINDS",
    "AccessRecord",
    "ANONYMISED_NAME",
    "Applicant",
    "ApplicantConsent",
    "ApplicantEvent",
    "ApplicantNote",
    "ApplicantQuerySet",
    "ApplicantStatus",
    "Appointment",
    "AppointmentEvent",
    "AppointmentQuerySet",
    "AppointmentStatus",
    "Branch",
    "ConsentNotice",
    "ConsentNoticeVersion",
    "District",
    "EmailChange",
    "ExportReason",
    "Notification",
    "NotificationKind",
    "PreferredTime",
    "Province",
    "RecruitmentRound",
    "RejectionReason",
    "RoundQuerySet",
    "Slot",
    "SlotKind",
    "SlotQuerySet",
    "Source",
    "StaffProfile",
    "in_staff_branch",
    "new_status_token",
    "staff_branch_id",
]
