"""The pipeline's transition services: every allowed move, every refused one, and what each leaves behind."""

import pytest
from django.core import mail

from recruiting import services
from recruiting.errors import ApplicationError
from recruiting.models import Applicant, ApplicantEvent, Notification, RejectionReason
from recruiting.pipeline import STAGE_NOTICES, TRANSITIONS, ApplicantStatus
from recruiting.tests.factories import make_applicant, walk_to

# Every test here uses the site: it is built once for the module (conftest.py, module_site).
pytestmark = pytest.mark.usefixtures("module_site")


def _reject(**kwargs):
    return services.applicant_reject(reason=RejectionReason.NO_SHOW, **kwargs)


# The service that moves an applicant to each status staff decide in this app. Booking a
# consultation is done by the appointment services and enrollment by curriculum.
SERVICES = {
    ApplicantStatus.CONSULTED: services.applicant_mark_consulted,
    ApplicantStatus.INTERVIEW: services.applicant_invite_to_interview,
    ApplicantStatus.ACCEPTED: services.applicant_accept,
    ApplicantStatus.REJECTED: _reject,
    ApplicantStatus.WITHDRAWN: services.applicant_withdraw,
}
MOVES = [(start, to) for start in ApplicantStatus for to in SERVICES]


@pytest.fixture
def applicant(open_round) -> Applicant:
    applicant = make_applicant(open_round)
    mail.outbox.clear()
    return applicant


def _put_in(applicant: Applicant, status: str) -> Applicant:
    return walk_to(applicant, status)


@pytest.mark.parametrize(("start", "to"), MOVES, ids=[f"{s}->{t}" for s, t in MOVES])
def test_it_moves_only_along_the_table(applicant, alice, start, to):
    _put_in(applicant, start)
    events_before = ApplicantEvent.objects.count()
    if to in TRANSITIONS[start]:
        moved = SERVICES[to](applicant=applicant, actor=alice, note="전화 확인")
        assert moved.status == to
        # A closing move also cancels the bookings still to come, each with a note row of its own.
        event = ApplicantEvent.objects.get(applicant=applicant, from_status=start, to_status=to)
        assert (event.actor, event.note) == (alice, "전화 확인")
        assert Applicant.objects.get(pk=applicant.pk).status == to
    else:
        with pytest.raises(ApplicationError) as refused:
            SERVICES[to](applicant=applicant, actor=alice)
        assert str(refused.value) == (
            f"'{ApplicantStatus(start).label}' 단계의 지원서는 '{ApplicantStatus(to).label}'(으)로 바꿀 수 없습니다."
        )
        assert Applicant.objects.get(pk=applicant.pk).status == start
        assert ApplicantEvent.objects.count() == events_before


@pytest.mark.parametrize("to", list(STAGE_NOTICES), ids=str)
def test_it_notifies_each_stage_once(applicant, alice, to, django_capture_on_commit_callbacks):
    start = next(status for status, targets in TRANSITIONS.items() if to in targets)
    _put_in(applicant, start)
    with django_capture_on_commit_callbacks(execute=True):
        if to == ApplicantStatus.LAPSED:
            # Nobody decides a lapse: the retention job closes the application.
            services.applicant_lapse(applicant=applicant)
        else:
            SERVICES[to](applicant=applicant, actor=alice)
    notification = Notification.objects.get(kind=STAGE_NOTICES[to])
    assert notification.event == ApplicantEvent.objects.latest("pk")
    assert notification.sent_at is not None
    assert len(mail.outbox) == 1
    assert applicant.status_token in mail.outbox[0].body
    # The worker may run the task again (a retry after a timeout): nothing more goes out.
    assert services.notification_send(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1


def test_the_rejection_notice_does_not_tell_the_internal_reason(applicant, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _reject(applicant=applicant, actor=alice, note="면접 태도 메모")
    (message,) = mail.outbox
    assert message.subject == "[CS RC] 지원 결과 안내"
    assert "면접 태도 메모" not in message.body
    assert str(RejectionReason.NO_SHOW.label) not in message.body


def test_a_rejection_needs_a_reason_from_the_list(applicant, alice):
    with pytest.raises(ApplicationError, match="이유를 고르세요"):
        services.applicant_reject(applicant=applicant, actor=alice, reason="looks")
    with pytest.raises(ApplicationError, match="메모에 이유를 적어 주세요"):
        services.applicant_reject(applicant=applicant, actor=alice, reason=RejectionReason.OTHER, note="  ")
    assert Applicant.objects.get(pk=applicant.pk).status == ApplicantStatus.SUBMITTED
    services.applicant_reject(applicant=applicant, actor=alice, reason=RejectionReason.OTHER, note="재지원 의사 없음")
    assert ApplicantEvent.objects.latest("pk").reason == RejectionReason.OTHER


def test_it_refuses_a_decision_made_on_a_stale_status(applicant, alice, hana):
    _put_in(applicant, ApplicantStatus.INTERVIEW)
    services.applicant_accept(applicant=applicant, actor=hana, expected_status=ApplicantStatus.INTERVIEW)
    with pytest.raises(ApplicationError) as refused:
        _reject(applicant=applicant, actor=alice, expected_status=ApplicantStatus.INTERVIEW)
    assert str(refused.value) == (
        "방금 다른 담당자가 이 지원서를 처리했습니다. 지금은 '합격' 단계입니다. 확인하고 다시 시도하세요."
    )
    assert Applicant.objects.get(pk=applicant.pk).status == ApplicantStatus.ACCEPTED
