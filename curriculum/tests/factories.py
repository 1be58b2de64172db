"""Trainees-to-be: applicants already accepted, ready to enrol."""

from recruiting.models import Applicant, ApplicantStatus
from recruiting.tests.factories import make_applicant


def make_accepted(round, number: int, name: str = "이서연") -> Applicant:
    applicant = make_applicant(round, mobile=f"0107777{number:04d}", email=f"t{number}@example.com", name=name)
    Applicant.objects.filter(pk=applicant.pk).update(status=ApplicantStatus.ACCEPTED)
    applicant.refresh_from_db()
    return applicant
