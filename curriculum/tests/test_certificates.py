"""Completion certificates: who gets one, their numbers, the PDF, verification, revoking and reissuing."""

import io
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import replace
from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone
from django_q.conf import Conf
from PIL import Image

from core.outbox import CLAIM_TIMEOUT
from core.states import state_change, state_start
from curriculum import services
from curriculum.certificates import services as certificate_services
from curriculum.certificates.renderer import CertificateData, CertificateRenderer
from curriculum.errors import TrainingError
from curriculum.models import (
    BatchStatus,
    Certificate,
    CertificateBatch,
    CertificateStatus,
    Cohort,
    Enrollment,
    mask_name,
)
from curriculum.tests.factories import make_accepted, make_graduate
from recruiting.models import Applicant
from recruiting.tests.worker import start_qcluster, stop_qcluster

TOOLS = ("pdftotext", "pdffonts", "pdftoppm", "zbarimg")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def cohort(cohort):
    """The 7기 of these tests trained in the first months of 2026: it has ended, so certificates may be issued."""
    cohort.starts_on = date(2026, 1, 5)
    cohort.save()
    return cohort


@pytest.fixture
def graduate(cohort, open_round, hana, media) -> Enrollment:
    enrollment = services.enrollment_enroll(
        cohort=cohort, applicant=make_accepted(open_round, 1, name="김민진"), actor=hana
    )
    return make_graduate(enrollment, actor=hana)


def _issue(capture, **kwargs) -> Certificate:
    with capture(execute=True):
        certificate = certificate_services.certificate_issue(**kwargs)
    certificate.refresh_from_db()
    return certificate


def test_only_a_graduate_gets_a_certificate(cohort, open_round, hana, media):
    enrollment = services.enrollment_enroll(cohort=cohort, applicant=make_accepted(open_round, 2), actor=hana)
    with pytest.raises(TrainingError, match="수료한 교육생만 수료증을 받을 수 있습니다."):
        certificate_services.certificate_issue(enrollment=enrollment, actor=hana)
    assert not Certificate.objects.exists()


def test_issuing_snapshots_what_is_printed_and_is_idempotent(graduate, hana, django_capture_on_commit_callbacks):
    with time_machine.travel(date(2027, 4, 10)):
        certificate = _issue(django_capture_on_commit_callbacks, enrollment=graduate, actor=hana)
        again = certificate_services.certificate_issue(enrollment=graduate, actor=hana)
    assert again.pk == certificate.pk
    assert certificate.number == "제 2027-0001 호"
    assert (certificate.holder_name, certificate.program, certificate.cohort_label, certificate.branch_name) == (
        "김민진",
        "CS RC 기본 과정",
        "CS RC 7기",
        "지점0",
    )
    assert (certificate.starts_on, certificate.ends_on, certificate.hours) == (date(2026, 1, 5), date(2026, 4, 4), 390)
    assert certificate.pdf.name.startswith("certificates/")
    # The snapshot stays what was printed when the live rows change.
    Applicant.objects.filter(pk=graduate.applicant_id).update(name="김민지")
    graduate.cohort.curriculum.__class__.objects.update(name="새 과정")
    certificate.refresh_from_db()
    assert (certificate.holder_name, certificate.program) == ("김민진", "CS RC 기본 과정")


def test_numbers_count_up_within_a_year_and_restart_the_next(cohort, open_round, hana, media):
    Cohort.objects.filter(pk=cohort.pk).update(capacity=50)
    enrollments = []
    for number in range(3):
        enrollment = services.enrollment_enroll(
            cohort=cohort, applicant=make_accepted(open_round, 10 + number), actor=hana
        )
        enrollments.append(make_graduate(enrollment, actor=hana))
    with time_machine.travel(date(2027, 12, 31)):
        first = [certificate_services.certificate_issue(enrollment=e, actor=hana).number for e in enrollments[:2]]
    with time_machine.travel(date(2028, 1, 2)):
        second = certificate_services.certificate_issue(enrollment=enrollments[2], actor=hana).number
    assert first == ["제 2027-0001 호", "제 2027-0002 호"]
    assert second == "제 2028-0001 호"


def test_the_name_is_masked_on_the_public_page():
    assert [mask_name(name) for name in ("김민진", "이수", "남궁민수", "A")] == ["김*진", "이*", "남**수", "A*"]


class TestPdf:
    @pytest.fixture(autouse=True)
    def _tools(self):
        missing = [tool for tool in TOOLS if shutil.which(tool) is None]
        if missing:
            if os.environ.get("E2E_REQUIRED"):
                pytest.fail(f"missing {missing}: install poppler-utils and zbar-tools")
            pytest.skip(f"missing {missing}")

    def _pdf(self, tmp_path) -> tuple[bytes, str]:
        url = "https://recruit.example.com/certificates/verify/ABCD2345EFGH/"
        path = tmp_path / "certificate.pdf"
        path.write_bytes(CertificateRenderer().render(self._data(url)))
        return path, url

    def _data(self, url: str) -> CertificateData:
        return CertificateData(
            number="제 2027-0042 호",
            holder_name="김민진",
            program="CS RC 기본 과정",
            cohort_label="CS RC 7기",
            branch_name="강서",
            starts_on=date(2027, 1, 4),
            ends_on=date(2027, 4, 3),
            hours=390,
            issued_on=date(2027, 4, 10),
            issuer_name="CS RC 교육센터장",
            verification_code="ABCD2345EFGH",
            verify_url=url,
        )

    def test_the_text_holds_the_hangul_name_and_the_number(self, tmp_path):
        path, _url = self._pdf(tmp_path)
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "김민진" in text
        assert "제 2027-0042 호" in text
        assert "2027년 1월 4일 ~ 2027년 4월 3일 (390시간)" in text
        assert re.search(r"수\s+료\s+증", text)

    def test_an_uploaded_seal_is_printed(self):
        seal = io.BytesIO()
        Image.new("RGBA", (120, 120), (200, 20, 20, 255)).save(seal, "PNG")
        without = CertificateRenderer().render(self._data("https://example.com/v/"))
        with_seal = CertificateRenderer().render(
            replace(self._data("https://example.com/v/"), seal_png=seal.getvalue())
        )
        assert b"/Subtype /Image" not in without
        assert b"/Subtype /Image" in with_seal

    def test_every_font_is_embedded(self, tmp_path):
        path, _url = self._pdf(tmp_path)
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        rows = fonts.splitlines()[2:]
        assert {row.split()[0].split("+")[-1] for row in rows} == {"NanumMyeongjo", "NanumMyeongjoBold", "NanumGothic"}
        assert all(row.split()[-5] == "yes" for row in rows), fonts

    def test_the_qr_code_points_to_the_verification_page(self, tmp_path):
        path, url = self._pdf(tmp_path)
        subprocess.run(["pdftoppm", "-png", "-r", "200", str(path), str(tmp_path / "page")], check=True)
        decoded = subprocess.run(
            ["zbarimg", "--quiet", "--raw", str(tmp_path / "page-1.png")], capture_output=True, text=True, check=True
        ).stdout.strip()
        assert decoded == url


class TestVerification:
    def test_it_shows_a_valid_certificate_with_the_name_masked(self, client, graduate, hana):
        certificate = certificate_services.certificate_issue(enrollment=graduate, actor=hana)
        page = client.get(f"/certificates/verify/{certificate.verification_code}/").content.decode()
        assert "유효한 수료증입니다." in page
        assert "김*진" in page
        assert "김민진" not in page

    def test_revoked_and_superseded_say_so(self, client, graduate, hana, media):
        first = certificate_services.certificate_issue(enrollment=graduate, actor=hana)
        second = certificate_services.certificate_reissue(certificate=first, actor=hana, reason="이름 오기 정정")
        assert second.replaces == first
        assert second.number == "제 " + str(timezone.localdate().year) + "-0002 호"
        page = client.get(f"/certificates/verify/{first.verification_code}/").content.decode()
        assert "새 수료증으로 대체되었습니다." in page
        assert second.number in page
        certificate_services.certificate_revoke(certificate=second, actor=hana, reason="수료 요건 재확인")
        page = client.get(f"/certificates/verify/{second.verification_code}/").content.decode()
        assert "폐기된 수료증입니다." in page

    @pytest.mark.parametrize("code", ["ABCDEFGHJKMN", "x" * 12, "<script>", "' OR 1=1"])
    def test_unknown_codes_answer_404_in_korean(self, client, code, db):
        response = client.get(f"/certificates/verify/{code}/")
        assert response.status_code == 404
        assert "페이지를 찾을 수 없습니다" in response.content.decode()

    def test_the_lookup_needs_the_number_and_the_code(self, client, graduate, hana):
        certificate = certificate_services.certificate_issue(enrollment=graduate, actor=hana)
        number = f"제 {certificate.year}-{certificate.serial:04d} 호"
        wrong = client.post("/certificates/verify/", {"number": number, "code": "ABCDEFGHJKMN"})
        assert "이 번호와 코드로 된 수료증이 없습니다." in wrong.content.decode()
        also_wrong = client.post(
            "/certificates/verify/", {"number": "제 2001-0001 호", "code": certificate.verification_code}
        )
        assert "이 번호와 코드로 된 수료증이 없습니다." in also_wrong.content.decode()
        bad = client.post("/certificates/verify/", {"number": "2027/1", "code": "x"})
        assert "인쇄된 대로 적어 주세요" in bad.content.decode()
        right = client.post(
            "/certificates/verify/",
            {"number": f"{certificate.year}-{certificate.serial}", "code": certificate.verification_code.lower()},
        )
        assert right["Location"] == f"/certificates/verify/{certificate.verification_code}/"

    def test_it_is_rate_limited(self, client, settings, db):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "certificate_verify:address": (3, 3600)}
        answers = [client.get("/certificates/verify/ABCDEFGHJKMN/").status_code for _ in range(4)]
        assert answers == [404, 404, 404, 429]


class TestRevokeAndReissue:
    @pytest.mark.parametrize("action", ["revoke", "reissue"])
    def test_a_reason_is_required(self, graduate, hana, action):
        certificate = certificate_services.certificate_issue(enrollment=graduate, actor=hana)
        change = (
            certificate_services.certificate_revoke if action == "revoke" else certificate_services.certificate_reissue
        )
        with pytest.raises(TrainingError, match="사유를 적어 주세요"):
            change(certificate=certificate, actor=hana, reason="  ")
        assert Certificate.objects.get(pk=certificate.pk).status == CertificateStatus.VALID

    def test_hr_revokes_and_reissues_from_the_trainee_page(self, client, graduate, hana):
        certificate = certificate_services.certificate_issue(enrollment=graduate, actor=hana)
        client.force_login(hana)
        base = f"/admin/cohorts/{graduate.cohort_id}/certificates/{certificate.pk}"
        client.post(f"{base}/reissue/", {"reason": "이름 정정"})
        new = Certificate.objects.get(status=CertificateStatus.VALID)
        assert new.replaces_id == certificate.pk
        client.post(f"/admin/cohorts/{graduate.cohort_id}/certificates/{new.pk}/revoke/", {"reason": "요건 미충족"})
        assert set(Certificate.objects.values_list("status", flat=True)) == {"superseded", "revoked"}
        assert client.post(f"{base}/explode/", {"reason": "x"}).status_code == 404


class TestDownloadLink:
    def test_the_graduate_gets_one_email_with_a_private_expiring_link(
        self, client, graduate, hana, django_capture_on_commit_callbacks
    ):
        mail.outbox.clear()
        certificate = _issue(django_capture_on_commit_callbacks, enrollment=graduate, actor=hana)
        assert certificate_services.certificate_email_send(certificate_id=certificate.pk) is False
        (message,) = mail.outbox
        assert message.subject == "[CS RC] 수료증을 보내 드립니다"
        path = re.search(r"/certificates/download/[\w:-]+/", message.body).group(0)
        response = client.get(path)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        with time_machine.travel(timezone.now() + timedelta(days=31)):
            expired = client.get(path)
        assert expired.status_code == 410
        assert "이 링크는 더 이상 쓸 수 없습니다" in expired.content.decode()
        certificate_services.certificate_revoke(certificate=certificate, actor=hana, reason="요건 재확인")
        assert client.get(path).status_code == 410
        assert client.get("/certificates/download/forged:token/").status_code == 410


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's locking")
def test_certificates_issued_at_once_get_gap_free_numbers(cohort, open_round, hana, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    Cohort.objects.filter(pk=cohort.pk).update(capacity=50)
    enrollments = []
    for number in range(8):
        enrollment = services.enrollment_enroll(
            cohort=cohort, applicant=make_accepted(open_round, 20 + number), actor=hana
        )
        enrollments.append(make_graduate(enrollment, actor=hana))
    barrier = threading.Barrier(len(enrollments))
    errors = []

    def issue(enrollment):
        try:
            barrier.wait()
            certificate_services.certificate_issue(enrollment=enrollment, actor=hana)
        except Exception as error:  # noqa: BLE001 - the test asserts on it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(enrollment,)) for enrollment in enrollments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(Certificate.objects.values_list("serial", flat=True)) == list(range(1, 9))


def _graduates(cohort, open_round, hana, count: int, first: int = 100) -> list[Enrollment]:
    Cohort.objects.filter(pk=cohort.pk).update(capacity=count + 10)
    enrollments = []
    for number in range(count):
        applicant = make_accepted(open_round, first + number)
        enrollment = services.enrollment_enroll(cohort=cohort, applicant=applicant, actor=hana)
        enrollments.append(make_graduate(enrollment, actor=hana))
    return enrollments


class TestBatch:
    def test_it_issues_every_missing_certificate_and_a_rerun_adds_none(
        self, client, cohort, open_round, hana, media, django_capture_on_commit_callbacks
    ):
        first, *_rest = _graduates(cohort, open_round, hana, 4)
        certificate_services.certificate_issue(enrollment=first, actor=hana, render_later=False)
        mail.outbox.clear()
        client.force_login(hana)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/admin/cohorts/{cohort.pk}/certificates/batch/")
        batch = CertificateBatch.objects.get()
        assert response["Location"] == f"/admin/cohorts/{cohort.pk}/certificates/batch/{batch.pk}/"
        assert (batch.status, batch.total, batch.done) == ("finished", 4, 4)
        assert sorted(Certificate.objects.values_list("serial", flat=True)) == [1, 2, 3, 4]
        assert all(certificate.pdf for certificate in Certificate.objects.all())
        assert len(mail.outbox) == 4
        page = client.get(response["Location"]).content.decode()
        assert '<progress max="4" value="4">' in page
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/admin/cohorts/{cohort.pk}/certificates/batch/")
        assert CertificateBatch.objects.first().total == 0
        assert Certificate.objects.count() == 4
        assert len(mail.outbox) == 4

    def test_an_email_a_dead_worker_claimed_is_not_sent_by_the_rerun_but_by_the_retry_job(
        self, cohort, open_round, hana, media, django_capture_on_commit_callbacks
    ):
        first, second = _graduates(cohort, open_round, hana, 2)
        certificate = certificate_services.certificate_issue(enrollment=first, actor=hana, render_later=False)
        certificate_services.certificate_render(certificate_id=certificate.pk)
        # The worker claimed the email and died before recording it: it may have gone.
        Certificate.objects.filter(pk=certificate.pk).update(
            emailed_at=None, send_claimed_at=timezone.now(), send_next_attempt_at=timezone.now() + CLAIM_TIMEOUT
        )
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            batch = certificate_services.certificate_batch_start(cohort=cohort, actor=hana)
        batch.refresh_from_db()
        assert batch.status == "finished"
        assert [message.to for message in mail.outbox] == [[second.applicant.email]]
        assert certificate_services.certificate_emails_retry_due() == 0
        with time_machine.travel(timezone.now() + CLAIM_TIMEOUT + timedelta(seconds=1)):
            assert certificate_services.certificate_emails_retry_due() == 1
        assert [message.to for message in mail.outbox][1:] == [[first.applicant.email]]

    def test_a_running_batch_page_refreshes_itself(self, client, cohort, open_round, hana, media):
        _graduates(cohort, open_round, hana, 2)
        batch = CertificateBatch.objects.create(cohort=cohort, total=2, done=1)
        state_start(batch, actor=hana)
        state_change(batch, to=BatchStatus.RUNNING, actor=None)
        client.force_login(hana)
        page = client.get(f"/admin/cohorts/{cohort.pk}/certificates/batch/{batch.pk}/").content.decode()
        assert '<meta http-equiv="refresh" content="2">' in page
        assert "수료증 2장 중 1장 (50%)" in page


def _wait_for(condition, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.2)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker needs a shared database")
def test_a_worker_killed_mid_batch_leaves_a_rerun_to_finish_each_certificate_once(
    cohort, open_round, hana, tmp_path, monkeypatch
):
    monkeypatch.setattr(Conf, "SYNC", False)  # the test settings run tasks inline; here a real worker must
    enrollments = _graduates(cohort, open_round, hana, 40)
    first = certificate_services.certificate_batch_start(cohort=cohort, actor=hana)
    worker = start_qcluster(tmp_path, "first", Q_WORKERS="1")
    try:
        _wait_for(lambda: CertificateBatch.objects.get(pk=first.pk).done >= 5)
    finally:
        # SIGKILL, as an out-of-memory killer or a pulled plug would: no clean shutdown.
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    issued = Certificate.objects.count()
    assert 5 <= issued < 40, issued
    assert CertificateBatch.objects.get(pk=first.pk).status == "running"

    second = certificate_services.certificate_batch_start(cohort=cohort, actor=hana)
    worker = start_qcluster(tmp_path, "second", Q_WORKERS="1")
    try:
        _wait_for(lambda: CertificateBatch.objects.get(pk=second.pk).status == "finished")
    finally:
        stop_qcluster(worker)
    certificates = Certificate.objects.all()
    assert certificates.count() == 40
    assert sorted(certificates.values_list("serial", flat=True)) == list(range(1, 41))
    assert sorted(certificates.values_list("enrollment_id", flat=True)) == sorted(e.pk for e in enrollments)
    assert all(certificate.pdf for certificate in certificates)
    # A kill between claiming an email and recording it leaves that one claimed: the
    # second run must not send it (the first may have), and the retry job sends it once
    # the claim goes stale.
    unsent = certificates.filter(emailed_at__isnull=True)
    assert unsent.count() <= 1
    assert all(certificate.send_claimed_at is not None for certificate in unsent)
    with time_machine.travel(timezone.now() + CLAIM_TIMEOUT + timedelta(seconds=1)):
        certificate_services.certificate_emails_retry_due()
    assert not certificates.filter(emailed_at__isnull=True).exists()
