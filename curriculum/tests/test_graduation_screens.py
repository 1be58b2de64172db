"""The graduation gate, the trainee page and the certificate actions as HR and the other roles see them."""

from datetime import date

import pytest
import time_machine

from curriculum import services
from curriculum.certificates import services as certificate_services
from curriculum.models import Certificate, CertificateStatus, Enrollment, EnrollmentStatus
from curriculum.tests.test_graduation import LAST_DAY, _ready

# Every test here uses the site: it is built once for the module (conftest.py, module_site).
pytestmark = pytest.mark.usefixtures("module_site")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _early_url(trainee) -> str:
    return f"/admin/cohorts/{trainee.cohort_id}/trainees/{trainee.pk}/graduate-early/"


class TestTheGate:
    def test_before_the_last_day_it_offers_no_graduation_but_an_early_one_to_hr(self, client, cohort, hana, tom):
        (trainee,) = _ready(cohort, hana, tom)
        with time_machine.travel(date(2027, 3, 15)):
            client.force_login(hana)
            page = client.get(f"/admin/cohorts/{cohort.pk}/graduation/").content.decode()
            refused = client.post(f"/admin/cohorts/{cohort.pk}/graduation/", {"enrollment": trainee.pk}, follow=True)
        assert "기수 종료 전 (종료일 2027년 4월 3일)" in page
        assert 'name="enrollment"' not in page
        assert _early_url(trainee) in page
        assert "기수 종료 전" in str(list(refused.context["messages"])[0])
        assert Enrollment.objects.get(pk=trainee.pk).status == EnrollmentStatus.ACTIVE

    def test_it_names_who_graduated_each_trainee(self, client, cohort, hana, tom):
        (trainee,) = _ready(cohort, hana, tom)
        hana.first_name = "하나"
        hana.save()
        with time_machine.travel(LAST_DAY):
            client.force_login(hana)
            client.post(f"/admin/cohorts/{cohort.pk}/graduation/", {"enrollment": trainee.pk})
            page = client.get(f"/admin/cohorts/{cohort.pk}/graduation/").content.decode()
        assert "2027년 4월 3일 수료 (처리: 하나)" in page

    def test_a_trainer_sees_no_early_graduation(self, client, cohort, hana, tom):
        (trainee,) = _ready(cohort, hana, tom)
        with time_machine.travel(date(2027, 3, 15)):
            client.force_login(tom)
            page = client.get(f"/admin/cohorts/{cohort.pk}/graduation/").content.decode()
        assert "기수 종료 전" in page
        assert _early_url(trainee) not in page


class TestEarlyGraduationScreen:
    def test_hr_confirms_with_a_reason_and_the_decision_is_shown(self, client, cohort, hana, tom):
        (trainee,) = _ready(cohort, hana, tom)
        with time_machine.travel(date(2027, 3, 15)):
            client.force_login(hana)
            form = client.get(_early_url(trainee))
            assert form.status_code == 200
            assert 'name="reason"' in form.content.decode()
            empty = client.post(_early_url(trainee), {"reason": "  "})
            assert empty.status_code == 200
            assert "조기 수료 사유를 적어 주세요." in empty.content.decode()
            assert Enrollment.objects.get(pk=trainee.pk).status == EnrollmentStatus.ACTIVE
            done = client.post(_early_url(trainee), {"reason": "<b>해외 이주</b>"}, follow=True)
            trainee_page = client.get(f"/admin/cohorts/{cohort.pk}/trainees/{trainee.pk}/").content.decode()
            gate = client.get(f"/admin/cohorts/{cohort.pk}/graduation/").content.decode()
        assert "조기 수료했습니다" in str(list(done.context["messages"])[0])
        assert Enrollment.objects.get(pk=trainee.pk).early_graduation_reason == "<b>해외 이주</b>"
        for page in (trainee_page, gate):
            assert "조기 수료" in page
            assert "&lt;b&gt;해외 이주&lt;/b&gt;" in page
            assert "<b>해외 이주</b>" not in page
        # Twice is refused with a message, not a second decision.
        with time_machine.travel(date(2027, 3, 16)):
            client.force_login(hana)
            again = client.post(_early_url(trainee), {"reason": "다시"}, follow=True)
        assert again.status_code == 200
        assert Enrollment.objects.get(pk=trainee.pk).early_graduation_reason == "<b>해외 이주</b>"

    def test_other_roles_may_not(self, client, cohort, hana, tom, alice, bob):
        (trainee,) = _ready(cohort, hana, tom)
        with time_machine.travel(date(2027, 3, 15)):
            # Wagtail turns a refusal into a redirect to the admin home with a message.
            for user, answers in ((tom, (302, 403)), (alice, (302, 403)), (bob, (404,))):
                client.force_login(user)
                assert client.get(_early_url(trainee)).status_code in answers
                assert client.post(_early_url(trainee), {"reason": "사유"}).status_code in answers
        assert Enrollment.objects.get(pk=trainee.pk).status == EnrollmentStatus.ACTIVE


class TestCertificateActions:
    def _certificate(self, cohort, hana, tom) -> Certificate:
        (trainee,) = _ready(cohort, hana, tom)
        with time_machine.travel(LAST_DAY):
            services.enrollment_graduate(enrollment=trainee, actor=hana)
            return certificate_services.certificate_issue(enrollment=trainee, actor=hana, render_later=False)

    def test_issuing_is_not_offered_while_a_valid_certificate_exists(self, client, cohort, hana, tom):
        certificate = self._certificate(cohort, hana, tom)
        client.force_login(hana)
        url = f"/admin/cohorts/{cohort.pk}/trainees/{certificate.enrollment_id}/"
        page = client.get(url).content.decode()
        assert "수료증 발급" not in page
        assert "수료증 폐기…" in page
        assert ">취소<" not in page
        certificate_services.certificate_revoke(certificate=certificate, actor=hana, reason="요건 재확인")
        page = client.get(url).content.decode()
        assert "수료증 발급" in page
        assert "폐기됨" in page

    @pytest.mark.parametrize("action", ["revoke", "reissue"])
    def test_revoking_and_reissuing_ask_for_confirmation_and_a_reason(self, client, cohort, hana, tom, action):
        certificate = self._certificate(cohort, hana, tom)
        client.force_login(hana)
        url = f"/admin/cohorts/{cohort.pk}/certificates/{certificate.pk}/{action}/"
        trainee_page = client.get(f"/admin/cohorts/{cohort.pk}/trainees/{certificate.enrollment_id}/").content.decode()
        # The trainee page only links to the confirmation; it holds no form that acts at once.
        assert f'href="{url}"' in trainee_page
        assert f'action="{url}"' not in trainee_page
        confirm = client.get(url)
        assert confirm.status_code == 200
        assert certificate.number in confirm.content.decode()
        assert Certificate.objects.get(pk=certificate.pk).status == CertificateStatus.VALID
        empty = client.post(url, {"reason": " "})
        assert empty.status_code == 200
        assert "사유를 적어 주세요" in empty.content.decode()
        assert Certificate.objects.get(pk=certificate.pk).status == CertificateStatus.VALID
        with time_machine.travel(date(2027, 4, 10)):
            client.force_login(hana)
            client.post(url, {"reason": "이름 정정"})
        expected = CertificateStatus.REVOKED if action == "revoke" else CertificateStatus.SUPERSEDED
        assert Certificate.objects.get(pk=certificate.pk).status == expected

    def test_only_hr_sees_the_confirmation(self, client, cohort, hana, tom, alice):
        certificate = self._certificate(cohort, hana, tom)
        for user in (tom, alice):
            client.force_login(user)
            url = f"/admin/cohorts/{cohort.pk}/certificates/{certificate.pk}/revoke/"
            assert client.get(url).status_code in (302, 403)
            assert client.post(url, {"reason": "x"}).status_code in (302, 403)
        assert Certificate.objects.get(pk=certificate.pk).status == CertificateStatus.VALID
