"""Applicants made directly through the service, for tests that start after applying."""

from cms.models import ConsentNotice
from recruiting.models import Applicant, District, Province, RecruitmentRound
from recruiting.services import applicant_submit


def make_applicant(
    round: RecruitmentRound, *, mobile: str = "01012345678", email: str = "seoyeon@example.com", name: str = "이서연"
) -> Applicant:
    district = District.objects.select_related("branch").get(province=Province.SEOUL, name="강서구")
    applicant, _created = applicant_submit(
        round=round,
        name=name,
        mobile=mobile,
        email=email,
        birth_year=1986,
        district=district,
        preferred_branch=district.branch,
        source="referral",
        consents={notice: True for notice in ConsentNotice.objects.all()},
    )
    return applicant
