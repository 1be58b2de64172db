"""The customer's notice of her new manager: one per customer a run gives a new consultant, sent once by
text message or printed as a letter, retried when it fails, shown to staff, never taken back by an undo."""

import contextlib
import shutil
import subprocess
from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assignments.models import (
    AssignmentRun,
    Customer,
    CustomerAccessRecord,
    CustomerLetterBatch,
    CustomerNotice,
    NoticeChannel,
    PoolMember,
)
from assignments.services import (
    assignment_run_apply,
    assignment_run_apply_request,
    assignment_run_approve,
    assignment_run_plan,
    assignment_run_start,
    assignment_run_undo,
    book_import_run,
    book_import_start,
    pool_member_release,
)
from assignments.services.notices import (
    customer_letters_render,
    customer_notices_dispatch,
    customer_notices_prune,
    customer_notices_retry_due,
    customer_notices_send,
)
from assignments.tests.factories import BOOK_HEADING, make_pool_graduate
from core.notices import text_message_send
from core.outbox import CLAIM_TIMEOUT, MAX_ATTEMPTS, RETRY_PAUSES
from core.tests.gateway import FakeGateway

pytestmark = pytest.mark.django_db
GANGSEO = "서울특별시 강서구 공항대로 247"
# A customer with a mobile is told by text message; one without, by letter.
BOOK = [
    ("C1", "박서연", "010-1111-0001", GANGSEO),
    ("C2", "이민지", "010-1111-0002", GANGSEO),
    ("C3", "최수아", "010-1111-0003", GANGSEO),
    ("C4", "정하은", "", "서울특별시 강서구 화곡로 302"),
    ("C5", "강예린", "", GANGSEO),
]


def book_file(rows: list[tuple[str, str, str, str]]) -> bytes:
    lines = [BOOK_HEADING]
    for number, name, mobile, address in rows:
        lines.append(f"{number},{name},{mobile},{address},K-{number},장기,30000,,P1,2026-11-02")
    return ("\n".join(lines) + "\n").encode()


def import_rows(rows, *, actor) -> None:
    book_import, _created = book_import_start(upload=SimpleUploadedFile("book.csv", book_file(rows)), actor=actor)
    book_import_run(import_id=book_import.pk)


@pytest.fixture(autouse=True)
def notices_folder(settings, tmp_path):
    settings.NOTICE_BACKEND = "file"
    settings.NOTICE_FILE_PATH = tmp_path / "notices"
    settings.SITE_URL = "https://recruit.example.com"
    return settings.NOTICE_FILE_PATH


@pytest.fixture
def consultants(cohort, hana, member) -> list[PoolMember]:
    """Two registered consultants of 강서 with room for the whole book."""
    second, _created = pool_member_release(
        enrollment=make_pool_graduate(cohort, 91, actor=hana, registered=True), actor=hana
    )
    PoolMember.objects.filter(pk__in=[member.pk, second.pk]).update(capacity=200)
    return [member, second]


@pytest.fixture
def book(hana, consultants):
    import_rows(BOOK, actor=hana)
    return Customer.objects.order_by("number")


@pytest.fixture
def apply(hana, django_capture_on_commit_callbacks):
    """Plan, approve and apply a run as HR does; what the run queues on commit runs at once (the test worker)."""

    def applied(branch=None, *, send: bool = True) -> AssignmentRun:
        run = assignment_run_plan(run_id=assignment_run_start(actor=hana, branch=branch).pk)
        assignment_run_approve(run=run, actor=hana)
        assignment_run_apply_request(run=run, actor=hana)
        with django_capture_on_commit_callbacks() as queued:
            run = assignment_run_apply(run_id=run.pk, actor_id=hana.pk)
        # The worker words the notices; with send=False it queues no sending (a worker that never came).
        with contextlib.ExitStack() as stack:
            if not send:
                stack.enter_context(mock.patch("assignments.services.notices._queue_sending"))
            for callback in queued:
                callback()
        return run

    return applied


def _files(folder) -> list:
    return sorted(folder.glob("*.txt")) if folder.exists() else []


class TestCreation:
    def test_each_customer_given_a_new_consultant_gets_one_notice_by_the_right_channel(self, apply, book):
        run = apply()

        notices = {notice.customer.number: notice for notice in run.customer_notices.select_related("customer")}
        assert sorted(notices) == ["C1", "C2", "C3", "C4", "C5"]
        assert {number: notice.channel for number, notice in notices.items()} == {
            "C1": NoticeChannel.TEXT,
            "C2": NoticeChannel.TEXT,
            "C3": NoticeChannel.TEXT,
            "C4": NoticeChannel.LETTER,
            "C5": NoticeChannel.LETTER,
        }
        for notice in notices.values():
            assert notice.consultant_id == notice.customer.consultant_id

    def test_the_text_names_the_consultant_the_branch_its_phone_and_the_check_page_and_nothing_of_hers(
        self, apply, book
    ):
        run = apply()

        notice = run.customer_notices.select_related("consultant__branch", "customer").filter(channel="sms").first()
        member = notice.consultant
        assert notice.text == (
            f"[{member.branch.name}CS지점] 고객님의 새 담당 컨설턴트는 김하나입니다. 문의 {member.branch.phone}. "
            f"직원 확인: https://recruit.example.com/consultants/verify/{member.verification_code}/ "
            "저희는 송금이나 앱 설치를 요구하지 않습니다."
        )
        assert notice.customer.name not in notice.text
        assert notice.customer.mobile[-4:] not in notice.text

    def test_customers_who_keep_their_consultant_or_stay_unassigned_get_none(self, apply, book, hana):
        apply()
        import_rows([*BOOK, ("C6", "오지우", "010-1111-0006", "주소를 알 수 없음")], actor=hana)

        rerun = apply()

        assert rerun.figures["new"] == 0, "C6 stays unassigned: her address names no district"
        assert rerun.figures["moved"] == 0
        assert not rerun.customer_notices.exists()
        assert not CustomerLetterBatch.objects.filter(run=rerun).exists()
        assert CustomerNotice.objects.count() == 5

    def test_a_customer_moved_twice_gets_two_notices(self, apply, book, consultants, notices_folder):
        first = apply()
        moved = Customer.objects.get(number="C1")
        other = next(member for member in consultants if member.pk != moved.consultant_id)
        Customer.objects.filter(pk=moved.pk).update(pinned_to=other)

        second = apply()

        assert list(second.customer_notices.values_list("customer__number", "consultant")) == [("C1", other.pk)]
        assert moved.notices.count() == 2
        assert len(_files(notices_folder)) == 4, "three for the first run, one for the second"
        assert first.customer_notices.filter(sent_at__isnull=False).count() == 5

    def test_the_rows_are_made_in_a_constant_number_of_queries(self, apply, book, hana):
        def queries_of_applying() -> int:
            run = assignment_run_plan(run_id=assignment_run_start(actor=hana, branch=None).pk)
            assignment_run_approve(run=run, actor=hana)
            assignment_run_apply_request(run=run, actor=hana)
            with CaptureQueriesContext(connection) as queries:
                assignment_run_apply(run_id=run.pk, actor_id=hana.pk)
            return len(queries)

        few = queries_of_applying()
        Customer.objects.update(consultant=None)
        import_rows(BOOK + [(f"D{i}", "한가람", f"010-2222-{i:04d}", GANGSEO) for i in range(40)], actor=hana)
        Customer.objects.update(consultant=None)
        assert queries_of_applying() == few


def test_the_plan_s_page_counts_the_notices_in_a_constant_number_of_queries(apply, book, hana, client):
    def queries(run: AssignmentRun) -> int:
        with CaptureQueriesContext(connection) as captured:
            page = client.get(f"/admin/assignment-runs/{run.pk}/").content.decode()
        assert "고객 안내" in page
        return len(captured)

    client.force_login(hana)
    few = queries(apply())
    Customer.objects.update(consultant=None)
    import_rows(
        BOOK + [(f"D{i}", "한가람", f"010-2222-{i:04d}" if i % 3 else "", GANGSEO) for i in range(40)], actor=hana
    )
    Customer.objects.update(consultant=None)
    assert queries(apply()) == few


class TestSending:
    def test_each_text_message_goes_once_as_a_file_and_is_recorded(self, apply, book, notices_folder):
        run = apply()

        files = _files(notices_folder)
        assert len(files) == 3
        texts = run.customer_notices.filter(channel="sms")
        assert all(notice.sent_at and notice.send_attempts == 1 for notice in texts)
        first = texts.select_related("customer").first()
        content = (notices_folder / f"{first.message_id}.txt").read_text(encoding="utf-8")
        assert f"To: {first.customer.mobile}" in content
        assert first.text in content

        assert customer_notices_send(notice_ids=list(texts.values_list("pk", flat=True))) == 0
        assert customer_notices_retry_due(now=timezone.now() + timedelta(days=1)) == 0
        assert len(_files(notices_folder)) == 3

    def test_a_worker_killed_between_sending_and_recording_does_not_send_twice(self, apply, book, notices_folder):
        run = apply(send=False)
        notice = run.customer_notices.filter(channel="sms").first()

        def send_then_die(**message):
            text_message_send(**message)
            # The worker is killed here: nothing after the send runs, the claim stays.
            raise SystemExit

        with mock.patch("assignments.services.notices.text_message_send", side_effect=send_then_die):
            with pytest.raises(SystemExit):
                customer_notices_send(notice_ids=[notice.pk])
        notice.refresh_from_db()
        assert notice.sent_at is None
        assert notice.send_claimed_at is not None
        assert len(_files(notices_folder)) == 1

        # Another worker may not take it while the claim is fresh, and takes it once it is stale.
        assert customer_notices_send(notice_ids=[notice.pk]) == 0
        with time_machine.travel(timezone.now() + CLAIM_TIMEOUT + timedelta(minutes=1)):
            customer_notices_retry_due()

        notice.refresh_from_db()
        assert notice.sent_at is not None
        assert notice.send_attempts == 2
        assert len(_files(notices_folder)) == 3, "the killed one is not written again; the two never sent are sent"

    def test_a_failed_text_message_is_retried_and_shown_to_staff(self, apply, book, settings, client, hana, mina):
        with FakeGateway() as gateway:
            settings.NOTICE_BACKEND = "http"
            settings.NOTICE_HTTP_URL = gateway.url
            gateway.answer = 503
            run = apply()

            texts = run.customer_notices.filter(channel="sms")
            assert [(n.sent_at, n.send_attempts) for n in texts] == [(None, 1)] * 3
            assert all("503" in notice.send_error for notice in texts)

            client.force_login(hana)
            unsent = client.get("/admin/unsent-emails/").content.decode()
            assert "고객 안내 문자" in unsent
            assert f"/admin/unsent-emails/customer-notices/{run.pk}/" in unsent
            assert "고객 3명" in unsent
            page = client.get(f"/admin/assignment-runs/{run.pk}/").content.decode()
            assert "보내지 못함" in page

            gateway.answer = 200
            assert customer_notices_retry_due() == 0, "not due before its pause"
            later = timezone.now() + RETRY_PAUSES[0] + timedelta(seconds=1)
            assert customer_notices_retry_due(now=later) == 3

            assert all(notice.sent_at for notice in texts.all())
            assert len(gateway.received) == 6
            assert {r["body"]["message_id"] for r in gateway.received[:3]} == {
                r["body"]["message_id"] for r in gateway.received[3:]
            }, "every attempt carries the notice's own id"
            assert f"customer-notices/{run.pk}/" not in client.get("/admin/unsent-emails/").content.decode()

    def test_hr_sends_again_a_message_that_used_up_its_attempts(
        self, apply, book, settings, client, hana, django_capture_on_commit_callbacks
    ):
        with FakeGateway() as gateway:
            settings.NOTICE_BACKEND = "http"
            settings.NOTICE_HTTP_URL = gateway.url
            gateway.answer = 500
            run = apply()
            run.customer_notices.update(send_attempts=MAX_ATTEMPTS, send_next_attempt_at=None)
            gateway.answer = 200
            client.force_login(hana)
            url = f"/admin/unsent-emails/customer-notices/{run.pk}/"
            assert "이 문자를 다시 보낼까요?" in client.get(url).content.decode()

            with django_capture_on_commit_callbacks(execute=True):
                response = client.post(url)

            assert response.status_code == 302
            assert run.customer_notices.filter(channel="sms", sent_at__isnull=True).count() == 0
            assert run.events.filter(actor=hana, note__contains="3명").exists()

    def test_an_undo_takes_back_nothing_sent_and_stops_what_was_not(self, apply, book, hana, notices_folder):
        run = apply(send=False)
        first, failed, third = run.customer_notices.filter(channel="sms").order_by("customer__number")
        customer_notices_send(notice_ids=[first.pk, third.pk])
        CustomerNotice.objects.filter(pk=failed.pk).update(
            send_attempts=1, send_error="게이트웨이 오류", send_next_attempt_at=timezone.now()
        )

        assignment_run_undo(run=run, actor=hana, reason="잘못된 배정")
        customer_notices_retry_due(now=timezone.now() + timedelta(minutes=1))

        assert run.customer_notices.count() == 5, "an undo deletes no notice"
        assert run.customer_notices.filter(sent_at__isnull=False).count() == 2
        failed.refresh_from_db()
        assert failed.sent_at is None, "she has her former consultant again: the notice would be wrong"
        assert failed.send_next_attempt_at is None
        assert failed.send_error == "", "nothing for staff to send again"
        assert len(_files(notices_folder)) == 2


@pytest.fixture
def gangseo_letters(apply, book, gangseo) -> CustomerLetterBatch:
    run = apply(gangseo)
    return CustomerLetterBatch.objects.get(run=run)


class TestLetters:
    @pytest.fixture(autouse=True)
    def _pdftotext(self):
        if shutil.which("pdftotext") is None:
            pytest.skip("pdftotext is not installed (poppler-utils)")

    def test_the_letters_are_one_pdf_a_page_per_customer_in_korean(self, gangseo_letters, tmp_path):
        batch = gangseo_letters
        assert batch.rendered_at is not None
        assert batch.letters == 2
        path = tmp_path / "letters.pdf"
        with batch.pdf.open("rb") as pdf:
            path.write_bytes(pdf.read())
        pages = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        # One page per letter; a sentence may wrap anywhere, so each page is read as one line.
        first, second, after_the_last = (" ".join(page.split()) for page in pages.split("\f"))
        assert after_the_last == ""
        assert "정하은 고객님 귀하" in first
        assert "서울특별시 강서구 화곡로 302" in first
        assert "강예린 고객님 귀하" in second
        notice = batch.run.customer_notices.select_related("consultant__branch").get(customer__number="C4")
        member = notice.consultant
        assert "새 담당 컨설턴트 안내" in first
        assert f"{member.branch.name}CS지점의 김하나 컨설턴트가 고객님의 계약을 관리해 드립니다." in first
        assert f"https://recruit.example.com/consultants/verify/{member.verification_code}/" in first
        assert batch.run.customer_notices.filter(channel="letter", sent_at__isnull=False).count() == 2

    def test_the_qr_code_opens_the_consultant_s_page(self, gangseo_letters, tmp_path):
        if shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None:
            pytest.skip("zbarimg or pdftoppm is not installed")
        path = tmp_path / "letters.pdf"
        with gangseo_letters.pdf.open("rb") as pdf:
            path.write_bytes(pdf.read())
        subprocess.run(["pdftoppm", "-png", "-r", "200", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")])
        decoded = subprocess.run(
            ["zbarimg", "--quiet", "--raw", str(tmp_path / "page-1.png")], capture_output=True, text=True, check=True
        ).stdout.strip()
        member = gangseo_letters.run.customer_notices.get(customer__number="C4").consultant
        assert decoded == f"https://recruit.example.com/consultants/verify/{member.verification_code}/"

    def test_rendering_again_renders_nothing(self, gangseo_letters):
        name = gangseo_letters.pdf.name
        assert not customer_letters_render(batch_id=gangseo_letters.pk)
        gangseo_letters.refresh_from_db()
        assert gangseo_letters.pdf.name == name

    def test_hr_and_the_branch_manager_download_them_and_the_export_is_recorded(
        self, client, gangseo_letters, hana, mina
    ):
        url = f"/admin/assignment-runs/{gangseo_letters.run_id}/letters/1/"
        for person in (hana, mina):
            client.force_login(person)
            response = client.get(url)
            assert response.status_code == 200
            assert response["Content-Type"] == "application/pdf"
            assert b"".join(response.streaming_content).startswith(b"%PDF")
        records = CustomerAccessRecord.objects.filter(action="export").order_by("pk")
        assert [(r.username, r.row_count, r.filters) for r in records] == [
            ("hana", 2, {"letters_of_plan": gangseo_letters.run_id, "batch": 1}),
            ("mina", 2, {"letters_of_plan": gangseo_letters.run_id, "batch": 1}),
        ]

    def test_the_run_page_offers_them(self, client, gangseo_letters, hana):
        client.force_login(hana)
        page = client.get(f"/admin/assignment-runs/{gangseo_letters.run_id}/").content.decode()
        assert f"/admin/assignment-runs/{gangseo_letters.run_id}/letters/1/" in page
        assert "안내문 내려받기 (PDF)" in page, "one batch needs no number"
        assert client.get(f"/admin/assignment-runs/{gangseo_letters.run_id}/letters/2/").status_code == 404

    def test_a_run_s_letters_come_in_batches_of_a_printable_size(self, client, apply, book, gangseo, hana, tmp_path):
        with mock.patch("assignments.services.notices.LETTERS_PER_BATCH", 1):
            run = apply(gangseo)
            batches = list(run.letter_batches.order_by("number"))
            assert [(batch.number, batch.letters) for batch in batches] == [(1, 1), (2, 1)]
            # In the order of the customer numbers, each letter in one batch.
            assert [list(batch.notices.values_list("customer__number", flat=True)) for batch in batches] == [
                ["C4"],
                ["C5"],
            ]
            for batch in batches:
                path = tmp_path / f"letters-{batch.number}.pdf"
                with batch.pdf.open("rb") as pdf:
                    path.write_bytes(pdf.read())
                pages = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
                assert pages.stdout.count("\f") == 1
            customer_notices_dispatch(run_id=run.pk)
            assert run.letter_batches.count() == 2, "a second dispatch puts no letter in a batch again"
        client.force_login(hana)
        page = client.get(f"/admin/assignment-runs/{run.pk}/").content.decode()
        for number in (1, 2):
            assert f"안내문 {number}번 묶음 내려받기 (PDF)" in page
            assert f"/admin/assignment-runs/{run.pk}/letters/{number}/" in page
            assert client.get(f"/admin/assignment-runs/{run.pk}/letters/{number}/").status_code == 200


def test_words_and_letters_are_destroyed_after_their_retention(apply, book, settings):
    run = apply()
    batch = CustomerLetterBatch.objects.get(run=run)
    storage, name = batch.pdf.storage, batch.pdf.name

    assert customer_notices_prune(now=timezone.now() + timedelta(days=settings.CUSTOMER_NOTICE_RETENTION_DAYS - 1)) == 0
    assert customer_notices_prune(now=timezone.now() + timedelta(days=settings.CUSTOMER_NOTICE_RETENTION_DAYS + 1)) == 5

    batch.refresh_from_db()
    assert not batch.pdf
    assert not storage.exists(name)
    assert set(run.customer_notices.values_list("text", flat=True)) == {""}
    assert run.customer_notices.filter(sent_at__isnull=False).count() == 5, "who was told, and when, stays"


class TestHerPage:
    """The customer's page in the admin lists the notices that told her of a new manager, and how each stands."""

    CUSTOMERS = "/admin/customers/"
    # A Monday morning in Seoul, as the page writes it.
    MORNING = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Seoul"))

    def page(self, client, number: str) -> str:
        response = client.get(f"{self.CUSTOMERS}{Customer.objects.get(number=number).pk}/")
        assert response.status_code == 200
        return response.content.decode()

    def test_it_shows_when_how_and_whether_each_went_and_where_to_send_a_failed_one_again(
        self, apply, book, settings, client, hana, mina
    ):
        with FakeGateway() as gateway, time_machine.travel(self.MORNING):
            settings.NOTICE_BACKEND = "http"
            settings.NOTICE_HTTP_URL = gateway.url
            gateway.answer = 503
            apply()

        client.force_login(hana)
        text = self.page(client, "C1")
        assert "새 담당 컨설턴트 안내 내역" in text
        assert "2026년 11월 30일 (월) 오전 10:00" in text, "made at, in Seoul time the Korean way"
        assert "문자" in text
        assert "보내지 못함" in text
        error = CustomerNotice.objects.get(customer__number="C1").send_error
        assert "503" in error
        assert error in text, "why it failed"
        assert "저절로 다시 시도합니다." in text
        assert 'href="/admin/unsent-emails/"' in text, "HR is sent where a failed notice is sent again"
        letter = self.page(client, "C4")
        assert "우편 안내문" in letter
        assert "배정 계획의 인쇄용 안내문(PDF)에 들어감" in letter
        assert letter.count("2026년 11월 30일 (월) 오전 10:00") == 2, "made and printed that morning"

        client.force_login(mina)
        text = self.page(client, "C1")
        assert "인사 담당자가 보내지 못한 이메일과 문자 목록에서 다시 보낼 수 있습니다." in text
        assert 'href="/admin/unsent-emails/"' not in text, "the list is HR's alone"

    def test_it_says_which_wait_and_which_will_never_go(self, apply, book, client, hana):
        run = apply(send=False)
        client.force_login(hana)
        assert "보낼 차례를 기다리는 중" in self.page(client, "C2")

        assignment_run_undo(run=run, actor=hana, reason="잘못된 배정")
        customer_notices_retry_due(now=timezone.now() + CLAIM_TIMEOUT + timedelta(minutes=1))

        assert "보내지 않음: 안내가 가기 전에 담당 컨설턴트가 다시 바뀌었습니다" in self.page(client, "C2")
        assert "이 고객에게 만든 새 담당 컨설턴트 안내가 없습니다." not in self.page(client, "C2")

    def test_her_page_takes_the_same_queries_for_1_or_4_notices(self, apply, book, consultants, client, hana):
        def queries(number: str) -> tuple[int, int]:
            customer = Customer.objects.get(number=number)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(f"{self.CUSTOMERS}{customer.pk}/")
            assert response.status_code == 200
            return len(captured), len(response.context["notices"])

        client.force_login(hana)
        apply()
        once = {number: queries(number) for number in ("C1", "C4")}
        # Each plan pins them to the other consultant, so each moves them and tells them again.
        for _ in range(3):
            for customer in Customer.objects.filter(number__in=["C1", "C4"]):
                other = next(member for member in consultants if member.pk != customer.consultant_id)
                Customer.objects.filter(pk=customer.pk).update(pinned_to=other)
            apply()
        four = {number: queries(number) for number in ("C1", "C4")}

        assert [notices for _queries, notices in once.values()] == [1, 1]
        assert [notices for _queries, notices in four.values()] == [4, 4]
        assert [count for count, _notices in four.values()] == [count for count, _notices in once.values()]
