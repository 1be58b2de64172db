"""The public page that confirms a consultant is real: what it shows (masked), what it never shows, codes
we never gave, a consultant on leave or gone, the form to type a code, and the rate limit against guessing."""

import pytest
from django.utils import timezone

from assignments.models import PoolMember
from assignments.services import pool_member_leave, pool_member_release, pool_member_take_leave
from assignments.tests.factories import make_pool_graduate
from recruiting.models import Applicant

pytestmark = pytest.mark.django_db


def _page(client, code: str, **headers):
    return client.get(f"/consultants/verify/{code}/", **headers)


class TestThePage:
    def test_it_shows_her_masked_name_branch_registration_and_the_branch_phone(self, client, member):
        response = _page(client, member.verification_code)

        assert response.status_code == 200
        page = response.content.decode()
        applicant = member.enrollment.applicant
        assert "김*나" in page
        assert applicant.name not in page
        assert f"저희 {member.branch.name}CS지점 소속으로 활동 중인 컨설턴트입니다." in page
        assert "손해보험협회 등록 완료" in page
        assert 'href="tel:{}"'.format(member.branch.phone.replace("-", "")) in page
        for private in (applicant.mobile, applicant.email, member.enrollment.registration_number):
            assert private not in page
        assert response["Cache-Control"].startswith("max-age=0")

    def test_a_code_is_read_whatever_its_case(self, client, member):
        assert _page(client, member.verification_code.lower()).status_code == 200

    def test_a_consultant_on_leave_works_with_us_but_not_now(self, client, member, hana):
        pool_member_take_leave(member=member, actor=hana, reason="육아휴직")

        page = _page(client, member.verification_code).content.decode()

        assert "지금은 휴직 중입니다" in page
        assert "활동 중인 컨설턴트입니다" not in page

    def test_a_consultant_who_left_no_longer_works_here(self, client, member, hana):
        pool_member_leave(member=member, actor=hana, reason="퇴사")

        response = _page(client, member.verification_code)

        page = response.content.decode()
        assert response.status_code == 200
        assert "이 컨설턴트는 더 이상 저희 소속이 아닙니다." in page
        assert "김*나" in page
        assert "손해보험협회" not in page, "her registration says nothing once she has gone"
        assert member.branch.phone in page

    def test_a_consultant_whose_record_was_destroyed_is_named_by_nobody(self, client, member, hana):
        pool_member_leave(member=member, actor=hana, reason="퇴사")
        Applicant.objects.filter(pk=member.enrollment.applicant_id).update(
            name="(파기됨)", anonymised_at=timezone.now()
        )

        page = _page(client, member.verification_code).content.decode()

        assert "보관 기간이 지나 파기됨" in page
        assert "더 이상 저희 소속이 아닙니다" in page


class TestCodesWeNeverGave:
    @pytest.mark.parametrize("code", ["ABCDEFGHJKMN", "abc", "ABCD2345EFG0", "ABCD2345EFGH1", "%20"])
    def test_an_unknown_or_malformed_code_gets_a_korean_404_with_every_branch_phone(self, client, member, code):
        response = _page(client, code)

        assert response.status_code == 404
        page = response.content.decode()
        assert "확인되지 않는 코드입니다" in page
        assert "송금하거나 앱을 설치하지 말고" in page
        assert member.branch.phone in page
        assert "김*나" not in page

    def test_each_member_has_a_code_of_her_own(self, member, cohort, hana):
        second, _created = pool_member_release(enrollment=make_pool_graduate(cohort, 95, actor=hana), actor=hana)
        codes = list(PoolMember.objects.values_list("verification_code", flat=True))
        assert len(set(codes)) == 2
        assert all(len(code) == 12 for code in codes)


class TestRateLimit:
    def test_it_answers_429_past_the_limit_whatever_the_codes(self, client, member, settings):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "consultant_verify:address": (3, 3600)}
        for code in ("ABCDEFGHJKMN", "abc", member.verification_code):
            assert _page(client, code).status_code in (200, 404)

        response = _page(client, member.verification_code)

        assert response.status_code == 429
        assert "김*나" not in response.content.decode()
        assert _page(client, member.verification_code, REMOTE_ADDR="10.0.0.9").status_code == 200

    def test_the_form_counts_against_the_same_limit(self, client, member, settings):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "consultant_verify:address": (1, 3600)}
        assert client.post("/consultants/verify/", {"code": "ABCDEFGHJKMN"}).status_code == 302

        assert client.post("/consultants/verify/", {"code": member.verification_code}).status_code == 429


class TestTheForm:
    def test_it_opens_the_page_of_the_code_typed_with_spaces_and_dashes(self, client, member):
        code = member.verification_code
        typed = f" {code[:4].lower()}-{code[4:8]} {code[8:]} "

        response = client.post("/consultants/verify/", {"code": typed})

        assert response.status_code == 302
        assert response["Location"] == f"/consultants/verify/{code}/"

    def test_a_code_of_the_wrong_shape_is_refused_in_korean_on_the_form(self, client, member):
        response = client.post("/consultants/verify/", {"code": "1234"})

        assert response.status_code == 200
        assert "확인 코드는 영문과 숫자 12자리입니다." in response.content.decode()

    def test_it_asks_for_the_code(self, client, site):
        page = client.get("/consultants/verify/").content.decode()
        assert "컨설턴트 확인" in page
        assert 'name="code"' in page
