"""The recruiting pipeline in one place (DESIGN §4): its stages, the moves between them, the moves
staff make, what an applicant may book at each stage, the email each stage sends, and the
order of the funnel.

It imports no models, so that the applicant model can declare its lifecycle from it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicantStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    CONSULTATION_BOOKED = "consultation_booked", _("Consultation booked")
    CONSULTED = "consulted", _("Consulted")
    INTERVIEW = "interview", _("Interview")
    ACCEPTED = "accepted", _("Accepted")
    ENROLLED = "enrolled", _("Enrolled")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    # Nothing was decided and the round is long over: the retention job closes the
    # application so that it, too, reaches an end (see applications_lapse_due).
    LAPSED = "lapsed", _("Lapsed")


class SlotKind(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    INTERVIEW = "interview", _("Interview")


class NotificationKind(models.TextChoices):
    APPLICATION_RECEIVED = "application_received", _("Application received")
    STATUS_LINK = "status_link", _("Status link resent")
    DUPLICATE_APPLICATION = "duplicate_application", _("Applied again: status link resent")
    EMAIL_CHANGE = "email_change", _("New email address to confirm")
    MOBILE_CHANGED = "mobile_changed", _("Mobile number changed")
    CONSULTED = "consulted", _("Consultation done")
    INTERVIEW = "interview", _("Invitation to interview")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Not accepted")
    WITHDRAWN = "withdrawn", _("Withdrawal confirmed")
    LAPSED = "lapsed", _("Closed when the round ended")
    APPOINTMENT_BOOKED = "appointment_booked", _("Appointment confirmed")
    APPOINTMENT_CHANGED = "appointment_changed", _("Appointment changed")
    APPOINTMENT_CANCELLED = "appointment_cancelled", _("Appointment cancelled")
    APPOINTMENT_REMINDER = "appointment_reminder", _("Appointment reminder")


# An application is "live" until it is rejected, withdrawn or lapses; only live ones count
# for the one-application-per-mobile-per-round rule.
ENDED_STATUSES = (ApplicantStatus.REJECTED, ApplicantStatus.WITHDRAWN, ApplicantStatus.LAPSED)

# The stages in which an application waits for someone's decision; it lapses from any of them.
OPEN_STATUSES = (
    ApplicantStatus.SUBMITTED,
    ApplicantStatus.CONSULTATION_BOOKED,
    ApplicantStatus.CONSULTED,
    ApplicantStatus.INTERVIEW,
    ApplicantStatus.ACCEPTED,
)

# Forward one stage at a time; rejected and withdrawn from any open stage, lapsed from any
# open stage by the retention job.
TRANSITIONS: dict[str, frozenset[str]] = {
    ApplicantStatus.SUBMITTED: frozenset(
        {
            ApplicantStatus.CONSULTATION_BOOKED,
            ApplicantStatus.REJECTED,
            ApplicantStatus.WITHDRAWN,
            ApplicantStatus.LAPSED,
        }
    ),
    # Back to submitted when the consultation is cancelled without a new time.
    ApplicantStatus.CONSULTATION_BOOKED: frozenset(
        {
            ApplicantStatus.SUBMITTED,
            ApplicantStatus.CONSULTED,
            ApplicantStatus.REJECTED,
            ApplicantStatus.WITHDRAWN,
            ApplicantStatus.LAPSED,
        }
    ),
    ApplicantStatus.CONSULTED: frozenset(
        {ApplicantStatus.INTERVIEW, ApplicantStatus.REJECTED, ApplicantStatus.WITHDRAWN, ApplicantStatus.LAPSED}
    ),
    ApplicantStatus.INTERVIEW: frozenset(
        {ApplicantStatus.ACCEPTED, ApplicantStatus.REJECTED, ApplicantStatus.WITHDRAWN, ApplicantStatus.LAPSED}
    ),
    # Accepted people may still withdraw before they enroll; enrollment belongs to curriculum.
    ApplicantStatus.ACCEPTED: frozenset({ApplicantStatus.ENROLLED, ApplicantStatus.WITHDRAWN, ApplicantStatus.LAPSED}),
    ApplicantStatus.ENROLLED: frozenset(),
    ApplicantStatus.REJECTED: frozenset(),
    ApplicantStatus.WITHDRAWN: frozenset(),
    ApplicantStatus.LAPSED: frozenset(),
}

# The moves staff make from the applicant's page and the board, in pipeline order; each has
# a service of its own. Booking a consultation goes through the appointment services,
# enrollment through curriculum.
STAFF_MOVES = (
    ApplicantStatus.CONSULTED,
    ApplicantStatus.INTERVIEW,
    ApplicantStatus.ACCEPTED,
    ApplicantStatus.REJECTED,
    ApplicantStatus.WITHDRAWN,
)

# The moves that close an application: staff confirm them first (DESIGN §8), and the board
# offers only the others.
CLOSING_MOVES = (ApplicantStatus.REJECTED, ApplicantStatus.WITHDRAWN)

# Which appointments an applicant may book at each stage, and the stage a booking moves to.
BOOKABLE: dict[str, dict[str, str]] = {
    SlotKind.CONSULTATION: {
        ApplicantStatus.SUBMITTED: ApplicantStatus.CONSULTATION_BOOKED,
        ApplicantStatus.CONSULTATION_BOOKED: ApplicantStatus.CONSULTATION_BOOKED,
    },
    SlotKind.INTERVIEW: {
        ApplicantStatus.CONSULTED: ApplicantStatus.INTERVIEW,
        ApplicantStatus.INTERVIEW: ApplicantStatus.INTERVIEW,
    },
}

# The notice each stage change sends the applicant (DESIGN §2: results are notified).
STAGE_NOTICES: dict[str, str] = {
    ApplicantStatus.CONSULTED: NotificationKind.CONSULTED,
    ApplicantStatus.INTERVIEW: NotificationKind.INTERVIEW,
    ApplicantStatus.ACCEPTED: NotificationKind.ACCEPTED,
    ApplicantStatus.REJECTED: NotificationKind.REJECTED,
    ApplicantStatus.WITHDRAWN: NotificationKind.WITHDRAWN,
    ApplicantStatus.LAPSED: NotificationKind.LAPSED,
}

# The stages an application passes through in order; rejected and withdrawn leave it.
FUNNEL_STAGES = (
    ApplicantStatus.SUBMITTED,
    ApplicantStatus.CONSULTATION_BOOKED,
    ApplicantStatus.CONSULTED,
    ApplicantStatus.INTERVIEW,
    ApplicantStatus.ACCEPTED,
    ApplicantStatus.ENROLLED,
)


def staff_moves_from(status: str) -> list[ApplicantStatus]:
    """Return the stages staff may move an application at `status` to, in pipeline order."""
    return [move for move in STAFF_MOVES if move in TRANSITIONS[status]]


def bookable_kinds(status: str) -> list[str]:
    """Return the kinds of appointment an application at `status` may book."""
    return [kind for kind, stages in BOOKABLE.items() if status in stages]
