"""Trainees: applicants already accepted and ready to enroll, or already in a cohort; cohorts in training."""

from datetime import date

from django.contrib.auth.models import User
from django.utils import timezone

from core.states import state_change
from curriculum import services
from curriculum.models import Cohort, Enrollment, EnrollmentStatus
from recruiting.models import Applicant, ApplicantStatus
from recruiting.tests.factories import make_applicant, walk_to

# The first day of the 7기 of the fixtures: Monday 4 January 2027. Seollal falls on 6–9
# February and 1 March is a holiday; the cohort's last day is 3 April.
COHORT_STARTS = date(2027, 1, 4)


def make_accepted(round, number: int, name: str = "이서연") -> Applicant:
    applicant = make_applicant(round, mobile=f"0107777{number:04d}", email=f"t{number}@example.com", name=name)
    return walk_to(applicant, ApplicantStatus.ACCEPTED)


def enroll_trainees(cohort: Cohort, trainees: int) -> list[Enrollment]:
    """Put `trainees` accepted applicants of the cohort's round into it through the services."""
    first = Applicant.objects.count()
    for number in range(trainees):
        applicant = make_applicant(
            cohort.round,
            mobile=f"0108888{first + number:04d}",
            email=f"e{first + number}@example.com",
            name=f"교육생{number:02d}",
        )
        services.enrollment_enroll(cohort=cohort, applicant=walk_to(applicant, ApplicantStatus.ACCEPTED), actor=None)
    return list(cohort.enrollments.order_by("applicant__name"))


def start_training(cohort: Cohort) -> Cohort:
    """Move the cohort into training as the daily job does on its first day."""
    services.cohorts_advance(today=cohort.starts_on, cohort=cohort)
    cohort.refresh_from_db()
    return cohort


def make_graduate(enrollment: Enrollment, *, actor: User | None = None) -> Enrollment:
    """Graduate a trainee through the state helper without the gate, which has tests of its own."""
    state_change(
        enrollment,
        to=EnrollmentStatus.GRADUATED,
        actor=actor,
        changes={"graduated_at": timezone.now(), "graduated_by": actor},
    )
    return enrollment
