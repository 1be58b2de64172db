"""Every status change of the training keeps its history: who, when, from what to what, and why."""

import threading
from datetime import date, timedelta

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_q.models import Schedule

from core.schedules import install_schedules
from core.states import state_change
from curriculum import services
from curriculum.certificates import services as certificate_services
from curriculum.errors import MilestoneError, TrainingError
from curriculum.models import (
    BatchStatus,
    CertificateBatchEvent,
    CertificateEvent,
    CertificateStatus,
    Cohort,
    CohortEvent,
    CohortStatus,
    Enrollment,
    EnrollmentEvent,
    EnrollmentStatus,
)
from curriculum.schedules import JOBS
from curriculum.tests.factories import COHORT_STARTS, enroll_trainees, make_graduate
from curriculum.tests.test_graduation import LAST_DAY, _ready

AFTER_THE_END = LAST_DAY + timedelta(days=1)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _moves(events) -> list[tuple[str, str]]:
    return [(event.from_status, event.to_status) for event in events]


class TestCohortDates:
    def test_it_moves_cohorts_on_their_dates_and_a_rerun_moves_nothing(self, cohort):
        assert services.cohorts_advance(today=COHORT_STARTS - timedelta(days=1)) == 0
        assert services.cohorts_advance(today=COHORT_STARTS) == 1
        assert services.cohorts_advance(today=COHORT_STARTS) == 0
        cohort.refresh_from_db()
        assert cohort.status == CohortStatus.TRAINING
        assert services.cohorts_advance(today=LAST_DAY) == 0
        assert services.cohorts_advance(today=AFTER_THE_END) == 1
        assert services.cohorts_advance(today=AFTER_THE_END + timedelta(days=1)) == 0
        assert Cohort.objects.get(pk=cohort.pk).status == CohortStatus.COMPLETED
        assert _moves(cohort.events.all()) == [("planned", "training"), ("training", "completed")]
        assert {event.actor for event in cohort.events.all()} == {None}

    def test_a_cohort_past_its_last_day_makes_both_moves_at_once(self, cohort):
        assert services.cohorts_advance(today=AFTER_THE_END) == 2
        assert _moves(cohort.events.all()) == [("planned", "training"), ("training", "completed")]

    def test_the_daily_job_is_installed_once(self, db):
        assert install_schedules(JOBS) == [
            "cohorts advance",
            "attendance warnings",
            "certificate email retries",
            "attendance warning retries",
        ]
        assert install_schedules(JOBS) == []
        daily = Schedule.objects.get(name="cohorts advance")
        assert (daily.func, daily.schedule_type) == ("curriculum.tasks.cohorts_advance", Schedule.DAILY)

    def test_hr_creates_a_running_cohort_and_it_is_in_training_with_its_history(
        self, client, curriculum, gangseo, open_round, hana
    ):
        client.force_login(hana)
        form = client.get("/admin/cohorts/new/").content.decode()
        assert 'name="status"' not in form
        with time_machine.travel(date(2027, 1, 10)):
            client.force_login(hana)
            response = client.post(
                "/admin/cohorts/new/",
                {
                    "number": 9,
                    "branch": gangseo.pk,
                    "curriculum": curriculum.pk,
                    "round": open_round.pk,
                    "starts_on": "2027-01-04",
                    "capacity": 20,
                },
            )
        assert response.status_code == 302, response.context["form"].errors
        cohort = Cohort.objects.get(number=9)
        assert cohort.status == CohortStatus.TRAINING
        assert [(e.from_status, e.to_status, e.actor) for e in cohort.events.all()] == [
            ("", "planned", hana),
            ("planned", "training", None),
        ]
        edit = client.get(f"/admin/cohorts/edit/{cohort.pk}/").content.decode()
        assert "교육 중" in edit
        assert 'name="status"' not in edit


class TestGraduation:
    def test_graduating_writes_the_move_with_the_person_who_decided(self, cohort, hana, tom):
        first, second = _ready(cohort, hana, tom, count=2)
        with time_machine.travel(AFTER_THE_END):
            services.enrollment_graduate(enrollment=first, actor=hana)
            assert services.cohort_graduate_eligible(cohort=cohort, actor=tom) == 1
        for trainee, actor in ((first, hana), (second, tom)):
            trainee.refresh_from_db()
            assert (trainee.status, trainee.graduated_by) == (EnrollmentStatus.GRADUATED, actor)
            start, move = trainee.events.all()
            assert (start.from_status, start.to_status, start.actor) == ("", "active", hana)
            assert (move.from_status, move.to_status, move.actor) == ("active", "graduated", actor)

    def test_an_early_graduation_keeps_its_reason_in_the_history(self, cohort, hana, tom):
        (trainee,) = _ready(cohort, hana, tom)
        with time_machine.travel(date(2027, 3, 15)):
            services.enrollment_graduate_early(enrollment=trainee, actor=hana, reason="조기 취업 확정")
        move = trainee.events.last()
        assert (move.to_status, move.actor) == ("graduated", hana)
        assert "조기 취업 확정" in move.note

    def test_an_illegal_move_raises_and_writes_nothing(self, cohort, hana, tom):
        (trainee,) = _ready(cohort, hana, tom)
        make_graduate(trainee, actor=hana)
        before = EnrollmentEvent.objects.count()
        with pytest.raises(TrainingError, match="수료.*중도 퇴소"):
            state_change(trainee, to=EnrollmentStatus.LEFT, actor=hana)
        with pytest.raises(TrainingError):
            services.enrollment_leave(enrollment=trainee, actor=hana, reason="개인 사정")
        assert Enrollment.objects.get(pk=trainee.pk).status == EnrollmentStatus.GRADUATED
        assert EnrollmentEvent.objects.count() == before


class TestCertificates:
    def test_issue_revoke_and_reissue_write_the_actor_and_the_reason(self, cohort, hana, tom):
        (trainee,) = _ready(cohort, hana, tom)
        make_graduate(trainee, actor=hana)
        with time_machine.travel(AFTER_THE_END):
            first = certificate_services.certificate_issue(enrollment=trainee, actor=hana, render_later=False)
            second = certificate_services.certificate_reissue(certificate=first, actor=tom, reason="이름 오기 정정")
            certificate_services.certificate_revoke(certificate=second, actor=hana, reason="수료 요건 재확인")
        assert [(e.from_status, e.to_status, e.actor, e.note) for e in first.events.all()] == [
            ("", "valid", hana, ""),
            ("valid", "superseded", tom, "이름 오기 정정"),
        ]
        assert [(e.from_status, e.to_status, e.actor) for e in second.events.all()] == [
            ("", "valid", tom),
            ("valid", "revoked", hana),
        ]
        assert first.number in second.events.first().note
        assert second.events.last().note == "수료 요건 재확인"
        with pytest.raises(TrainingError, match="유효한 수료증만"):
            certificate_services.certificate_revoke(certificate=second, actor=hana, reason="다시")
        assert CertificateEvent.objects.count() == 4
        assert second.__class__.objects.get(pk=second.pk).status == CertificateStatus.REVOKED

    def test_a_batch_records_its_steps(self, cohort, hana, tom, django_capture_on_commit_callbacks):
        (trainee,) = _ready(cohort, hana, tom)
        make_graduate(trainee, actor=hana)
        with time_machine.travel(AFTER_THE_END), django_capture_on_commit_callbacks(execute=True):
            batch = certificate_services.certificate_batch_start(cohort=cohort, actor=hana)
        batch.refresh_from_db()
        assert batch.status == BatchStatus.FINISHED
        steps = CertificateBatchEvent.objects.filter(batch=batch)
        assert [(e.from_status, e.to_status, e.actor) for e in steps] == [
            ("", "queued", hana),
            ("queued", "running", None),
            ("running", "finished", None),
        ]
        assert certificate_services.certificate_batch_run(batch_id=batch.pk) == 0


def _milestones(**overrides):
    values = {
        "exam_date": None,
        "exam_score": None,
        "exam_passed": False,
        "registration_hours": 0,
        "registered_on": None,
        "registration_number": "",
    }
    return values | overrides


class TestMilestones:
    def test_an_update_writes_one_row_saying_what_changed(self, cohort, tom):
        (trainee,) = enroll_trainees(cohort, 1)
        with time_machine.travel(date(2027, 3, 25)):
            services.enrollment_milestones_update(
                enrollment=trainee,
                actor=tom,
                **_milestones(exam_date=date(2027, 3, 20), exam_score=82, exam_passed=True, registration_hours=20),
            )
            services.enrollment_milestones_update(
                enrollment=trainee,
                actor=tom,
                **_milestones(exam_date=date(2027, 3, 20), exam_score=82, exam_passed=True, registration_hours=20),
            )
        trainee.refresh_from_db()
        assert (trainee.exam_passed, trainee.exam_score) == (True, 82)
        start, row = trainee.events.all()
        assert (row.from_status, row.to_status, row.actor, row.is_move) == ("active", "active", tom, False)
        assert row.note.splitlines() == [
            "자격시험 응시일: — → 2027년 3월 20일",
            "자격시험 점수: — → 82",
            "자격시험 합격: 아니오 → 예",
            "등록교육 이수 시간: 0 → 20",
        ]

    @pytest.mark.parametrize(
        ("values", "field", "message"),
        [
            ({"exam_passed": True}, "exam_date", "합격한 시험의 응시일을 적어 주세요."),
            ({"exam_date": date(2099, 1, 1)}, "exam_date", "아직 오지 않은 날짜입니다."),
            ({"registration_number": "A-1"}, "registration_number", "등록일과 등록 번호를 함께"),
            ({"registered_on": date(2026, 11, 2), "registration_number": "A-1"}, "registered_on", "합격 후에"),
        ],
    )
    def test_it_refuses_an_invalid_combination_and_saves_nothing(self, cohort, tom, values, field, message):
        (trainee,) = enroll_trainees(cohort, 1)
        with pytest.raises(MilestoneError, match=message) as refused:
            services.enrollment_milestones_update(enrollment=trainee, actor=tom, **_milestones(**values))
        assert refused.value.field == field
        trainee.refresh_from_db()
        assert (trainee.exam_passed, trainee.exam_date, trainee.registration_number) == (False, None, "")
        assert trainee.events.count() == 1

    @pytest.mark.parametrize(
        "values",
        [
            {"exam_passed": True},
            {"registered_on": date(2026, 11, 2)},
            {"registered_on": date(2026, 11, 2), "registration_number": "A-1"},
        ],
    )
    def test_the_database_refuses_them_too(self, cohort, values):
        (trainee,) = enroll_trainees(cohort, 1)
        with pytest.raises(IntegrityError), transaction.atomic():
            Enrollment.objects.filter(pk=trainee.pk).update(**values)


def _get_queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


class TestTimelines:
    def test_the_trainee_page_shows_the_history_in_korean_in_constant_queries(self, client, cohort, hana, tom):
        (trainee,) = _ready(cohort, hana, tom)
        hana.first_name = "하나"
        hana.save()
        client.force_login(hana)
        url = f"/admin/cohorts/{cohort.pk}/trainees/{trainee.pk}/"
        with time_machine.travel(AFTER_THE_END):
            client.force_login(hana)
            services.enrollment_graduate(enrollment=trainee, actor=hana)
            first = certificate_services.certificate_issue(enrollment=trainee, actor=hana, render_later=False)
            few, _page = _get_queries(client, url)
            second = certificate_services.certificate_reissue(certificate=first, actor=hana, reason="이름 정정")
            certificate_services.certificate_reissue(certificate=second, actor=hana, reason="다시 정정")
            many, page = _get_queries(client, url)
        assert many == few
        assert "교육 중 → 수료" in page
        assert "유효 → 재발급으로 대체" in page
        assert "이름 정정" in page
        assert "하나" in page
        assert "2027년 4월 4일" in page

    def test_the_cohort_dashboard_shows_its_history(self, client, cohort, hana):
        services.cohorts_advance(today=COHORT_STARTS)
        client.force_login(hana)
        page = client.get(f"/admin/cohorts/{cohort.pk}/").content.decode()
        assert "예정 → 교육 중" in page
        assert CohortEvent.objects.filter(cohort=cohort, actor=None).count() == 1

    def test_the_certificate_page_shows_its_history(self, client, cohort, hana, tom):
        (trainee,) = _ready(cohort, hana, tom)
        make_graduate(trainee, actor=hana)
        with time_machine.travel(AFTER_THE_END):
            certificate = certificate_services.certificate_issue(enrollment=trainee, actor=hana, render_later=False)
        client.force_login(hana)
        page = client.get(f"/admin/cohorts/{cohort.pk}/certificates/{certificate.pk}/revoke/").content.decode()
        assert "이력" in page
        assert "유효" in page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's locking")
def test_two_daily_runs_at_once_make_each_move_once_race(cohort):
    barrier = threading.Barrier(2)
    moves, errors = [], []

    def run():
        try:
            barrier.wait()
            moves.append(services.cohorts_advance(today=AFTER_THE_END))
        except Exception as error:  # noqa: BLE001 - the test asserts on it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(moves) == 2
    assert _moves(CohortEvent.objects.filter(cohort=cohort)) == [("planned", "training"), ("training", "completed")]
