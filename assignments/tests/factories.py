"""Graduates ready for the pool: enrolled through the service, graduated through the state helper."""

from datetime import date

from curriculum.models import Cohort, Enrollment
from curriculum.services import enrollment_enroll
from curriculum.tests.factories import make_accepted, make_graduate


def make_pool_graduate(cohort: Cohort, number: int, *, actor, registered: bool = False) -> Enrollment:
    """Return an enrollment of the cohort that has graduated, registered with the association if asked."""
    applicant = make_accepted(cohort.round, number, name="김하나")
    enrollment = enrollment_enroll(cohort=cohort, applicant=applicant, actor=actor)
    registration = {
        "exam_date": date(2027, 3, 20),
        "exam_passed": True,
        "registered_on": date(2027, 4, 10),
        "registration_number": f"R-{number}",
    }
    make_graduate(enrollment, actor=actor)
    if registered:
        Enrollment.objects.filter(pk=enrollment.pk).update(**registration)
    return Enrollment.objects.get(pk=enrollment.pk)
