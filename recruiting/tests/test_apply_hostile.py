"""Property-based: whatever is posted, the form never errors and never saves half an application."""

from datetime import timedelta

from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from cms.tests.sitetree import build_site
from recruiting.consent_defaults import install_default_notices
from recruiting.models import (
    Applicant,
    ApplicantConsent,
    ApplicantEvent,
    ConsentNotice,
    District,
    Notification,
    RecruitmentRound,
)

HOSTILE_TEXT = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "",
            " ",
            "860315-2345678",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "\x00",
            "010-1234-5678",
            "9" * 5000,
            "이서연",
            "😀" * 50,
            "\u202e\u200b",
        ]
    ),
)


def _valid_or(valid: str):
    return st.one_of(st.just(valid), HOSTILE_TEXT)


# Rate limits are tested on their own; here they would cut the examples short.
@override_settings(RATE_LIMITS={"apply:address": (10**9, 3600), "apply:mobile": (10**9, 3600)})
class HostileApplicationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.url = build_site()["apply"].url
        install_default_notices()
        today = timezone.localdate()
        cls.round = RecruitmentRound.objects.create(
            title="모집",
            opens_on=today - timedelta(days=1),
            closes_on=today + timedelta(days=1),
            cohort_starts_on=today,
            capacity=1,
        )
        cls.district = District.objects.get(province="seoul", name="강서구")
        cls.notices = ConsentNotice.objects.count()

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        data=st.fixed_dictionaries(
            {
                "name": _valid_or("이서연"),
                "mobile": _valid_or("010-1234-5678"),
                "email": _valid_or("a@example.com"),
                "birth_year": _valid_or("1986"),
                "province": _valid_or("seoul"),
                "district": _valid_or("DISTRICT"),
                "preferred_branch": _valid_or(""),
                "round": _valid_or("ROUND"),
                "source": _valid_or("referral"),
                "motivation": HOSTILE_TEXT,
                "preferred_times": st.lists(_valid_or("saturday"), max_size=3),
                "consent_application": _valid_or("on"),
                "consent_marketing": HOSTILE_TEXT,
            }
        )
    )
    def test_any_post_answers_without_error_and_saves_all_or_nothing(self, data):
        data = {
            key: (str(self.district.pk) if value == "DISTRICT" else str(self.round.pk) if value == "ROUND" else value)
            for key, value in data.items()
        }
        response = self.client.post(self.url, data)
        assert response.status_code in (200, 302), response.status_code
        applicants = Applicant.objects.count()
        if response.status_code == 200:
            assert applicants == 0
            assert response.context["form"].errors
        assert ApplicantConsent.objects.count() == applicants * self.notices
        assert ApplicantEvent.objects.count() == applicants
        assert Notification.objects.count() == applicants
