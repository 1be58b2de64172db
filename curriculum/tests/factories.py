"""Trainees: applicants already accepted and ready to enroll, or already in a cohort."""

from datetime import date

from curriculum.models import Cohort, Enrollment
from recruiting.models import Applicant, ApplicantStatus, District
from recruiting.tests.factories import make_applicant

# The first day of the 7기 of the fixtures: Monday 4 January 2027. Seollal falls on 6–9
# February and 1 March is a holiday; the cohort's last day is 3 April.
COHORT_STARTS = date(2027, 1, 4)


def make_accepted(round, number: int, name: str = "이서연") -> Applicant:
    applicant = make_applicant(round, mobile=f"0107777{number:04d}", email=f"t{number}@example.com", name=name)
    Applicant.objects.filter(pk=applicant.pk).update(status=ApplicantStatus.ACCEPTED)
    applicant.refresh_from_db()
    return applicant


def enroll_trainees(cohort: Cohort, trainees: int) -> list[Enrollment]:
    """Put `trainees` enrolled trainees into the cohort directly (enrollment has its own tests)."""
    district = District.objects.filter(branch=cohort.branch).first()
    first = Applicant.objects.count()
    applicants = Applicant.objects.bulk_create(
        Applicant(
            round=cohort.round,
            name=f"교육생{number:02d}",
            mobile=f"0108888{first + number:04d}",
            email=f"e{first + number}@example.com",
            birth_year=1985,
            district=district,
            preferred_branch=cohort.branch,
            source="referral",
            status=ApplicantStatus.ENROLLED,
        )
        for number in range(trainees)
    )
    Enrollment.objects.bulk_create(Enrollment(cohort=cohort, applicant=applicant) for applicant in applicants)
    return list(cohort.enrollments.order_by("applicant__name"))
