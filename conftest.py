"""Shared personas and data of the tests of every app: the site, a round, and the staff personas."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cms.tests.sitetree import build_site
from core.roles import Role, install_role_groups
from recruiting.consent_defaults import install_default_notices
from recruiting.models import Branch, District, Province, RecruitmentRound
from recruiting.tests.factories import make_staff


@pytest.fixture
def site(db):
    """The public site with its apply page and the default consent notices."""
    pages = build_site()
    install_default_notices()
    return pages


@pytest.fixture
def gangseo(site) -> Branch:
    """The branch of build_site that serves 강서구."""
    return Branch.objects.get(slug="branch-0")


@pytest.fixture
def open_round(site) -> RecruitmentRound:
    today = timezone.localdate()
    return RecruitmentRound.objects.create(
        title="2027년 1월 입과",
        opens_on=today - timedelta(days=3),
        closes_on=today + timedelta(days=20),
        cohort_starts_on=today + timedelta(days=60),
        capacity=30,
    )


@pytest.fixture
def form_data(open_round, gangseo) -> dict[str, object]:
    """A valid application as a phone would post it."""
    district = District.objects.get(province=Province.SEOUL, name="강서구")
    return {
        "name": "이서연",
        "mobile": "010-1234-5678",
        "email": "seoyeon@example.com",
        "birth_year": "1986",
        "province": Province.SEOUL,
        "district": str(district.pk),
        "preferred_branch": "",
        "round": str(open_round.pk),
        "source": "referral",
        "motivation": "아이를 키우면서도 제 일을 하고 싶습니다.",
        "preferred_times": ["weekday_morning"],
        "consent_application": "on",
        "website": "",
    }


@pytest.fixture
def apply_url(site) -> str:
    return site["apply"].url


@pytest.fixture
def roles(db):
    """The role groups with their permissions, as `manage.py setup` installs them."""
    install_role_groups()


@pytest.fixture
def alice(roles, gangseo):
    """Alice is a recruiter at the branch that serves 강서구."""
    return make_staff("alice", Role.RECRUITER, gangseo)


@pytest.fixture
def bob(roles, site):
    """Bob manages another branch: 강서 applicants are not his."""
    return make_staff("bob", Role.BRANCH_MANAGER, Branch.objects.get(slug="branch-1"))


@pytest.fixture
def hana(roles):
    """Hana works in HR and sees every branch."""
    return make_staff("hana", Role.HR)
