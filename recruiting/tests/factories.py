"""Applicants made directly through the service, and staff logins with a role and a branch."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from core.roles import Role
from recruiting.models import Applicant, Branch, ConsentNotice, District, Province, RecruitmentRound, StaffProfile
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


def make_staff(username: str, role: Role, branch: Branch | None = None):
    user = get_user_model().objects.create_user(username=username, password="x")
    user.groups.add(Group.objects.get(name=role))
    if branch is not None:
        StaffProfile.objects.create(user=user, branch=branch)
    return user
