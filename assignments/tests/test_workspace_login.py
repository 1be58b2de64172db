"""The consultant's login: made once when she is released, ended when she leaves, her password set from an email."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail

from assignments.errors import PoolError
from assignments.models import PoolMember
from assignments.retention import person_destroy
from assignments.services import pool_member_leave, pool_member_release, pool_member_take_leave
from assignments.tests.factories import make_pool_graduate
from assignments.tests.workspace_fixtures import consultant  # noqa: F401 - a shared fixture
from core.roles import Role

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "bora-station-4471"


def test_it_gives_a_released_graduate_her_login_once(member, hana):
    user = member.user
    assert user.username == member.enrollment.applicant.mobile
    assert user.email == member.enrollment.applicant.email
    assert user.first_name == member.enrollment.applicant.name
    assert not user.has_usable_password()
    assert (user.is_active, user.is_staff) == (True, False)
    assert list(user.groups.values_list("name", flat=True)) == [Role.CONSULTANT]
    assert user.has_perm("assignments.use_workspace")
    assert not user.has_perm("wagtailadmin.access_admin"), "the admin is staff's, not hers"

    _again, created = pool_member_release(enrollment=member.enrollment, actor=hana)

    assert not created
    assert User.objects.filter(pool_member__isnull=False).count() == 1


def test_it_generates_a_username_when_her_mobile_is_taken(cohort, hana):
    enrollment = make_pool_graduate(cohort, 92, actor=hana, registered=True)
    User.objects.create_user(enrollment.applicant.mobile, password="x")

    member, _created = pool_member_release(enrollment=enrollment, actor=hana)

    assert member.user.username == f"consultant-{member.pk}"


def test_leaving_the_pool_deactivates_her_login_and_ends_her_session(client, member, consultant, hana):  # noqa: F811
    client.force_login(consultant)
    assert client.get("/my/").status_code == 200

    pool_member_leave(member=member, actor=hana, reason="퇴사")

    consultant.refresh_from_db()
    assert not consultant.is_active
    response = client.get("/my/")
    assert response.status_code == 302
    assert response["Location"].startswith("/my/login/")


def test_a_refused_leave_leaves_her_login_as_it_was(member, consultant, hana):  # noqa: F811
    with pytest.raises(PoolError):
        pool_member_leave(member=member, actor=hana, reason="퇴사", expected="on_leave")

    consultant.refresh_from_db()
    assert consultant.is_active


def test_on_leave_she_keeps_her_login(member, consultant, hana):  # noqa: F811
    pool_member_take_leave(member=member, actor=hana, reason="육아휴직")

    consultant.refresh_from_db()
    assert consultant.is_active


def test_she_signs_in_with_her_mobile_on_the_workspace_page(client, consultant):  # noqa: F811
    consultant.set_password(PASSWORD)
    consultant.save()

    page = client.get("/my/login/")
    signed_in = client.post("/my/login/", {"username": consultant.username, "password": PASSWORD})

    assert "휴대폰 번호" in page.content.decode()
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/my/"


def test_a_wrong_password_is_refused_in_korean(client, consultant):  # noqa: F811
    response = client.post("/my/login/", {"username": consultant.username, "password": "wrong"})

    assert response.status_code == 200
    assert "비밀번호" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_she_sets_her_password_from_the_emailed_link_once(client, member, consultant):  # noqa: F811
    response = client.post("/my/password/", {"email": member.enrollment.applicant.email.upper()})

    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == [consultant.email]
    assert consultant.username in message.body
    link = re.search(r"http://\S+/my/password/\S+/", message.body).group(0)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0]

    done = client.post(set_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})

    assert done.status_code == 302
    assert done["Location"] == "/my/"
    consultant.refresh_from_db()
    assert consultant.check_password(PASSWORD)
    assert client.get("/my/").status_code == 200, "she is signed in"
    client.logout()
    used = client.get(link, follow=True)
    assert "만료" in used.content.decode(), "the link works once"


def test_the_link_goes_only_to_consultants_in_the_pool_and_the_answer_never_says(client, member, hana):
    hana.email = "hana@example.com"
    hana.save()

    for email in ["hana@example.com", "nobody@example.com"]:
        response = client.post("/my/password/", {"email": email})
        assert response.status_code == 302
        assert response["Location"] == "/my/password/sent/"

    assert mail.outbox == []


def test_a_consultant_who_left_gets_no_link(client, member, hana):
    pool_member_leave(member=member, actor=hana, reason="퇴사")

    client.post("/my/password/", {"email": member.enrollment.applicant.email})

    assert mail.outbox == []


def test_asking_for_links_is_rate_limited(client, member, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "consultant_password:address": (2, 3600)}
    email = member.enrollment.applicant.email

    answers = [client.post("/my/password/", {"email": email}).status_code for _ in range(3)]

    assert answers == [302, 302, 429]
    assert len(mail.outbox) == 2


def test_one_address_gets_a_few_links_an_hour_and_the_same_answer(client, member, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "consultant_password:email": (1, 3600)}
    email = member.enrollment.applicant.email

    answers = [client.post("/my/password/", {"email": email})["Location"] for _ in range(2)]

    assert answers == ["/my/password/sent/"] * 2
    assert len(mail.outbox) == 1


def test_setup_gives_the_role_only_the_workspace(roles):
    group = Group.objects.get(name=Role.CONSULTANT)

    assert [f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()] == [
        "assignments.use_workspace"
    ]


def test_her_login_is_emptied_with_her_record(member, consultant, hana):  # noqa: F811
    pool_member_leave(member=member, actor=hana, reason="퇴사")

    person_destroy(applicant_id=member.enrollment.applicant_id, rule="pool_left")

    consultant.refresh_from_db()
    assert consultant.username == f"consultant-{member.pk}"
    assert (consultant.email, consultant.first_name, consultant.is_active) == ("", "", False)
    assert not consultant.has_usable_password()
    assert PoolMember.objects.get(pk=member.pk).user_id == consultant.pk


def test_hr_sees_her_login_on_her_pool_page(client, member, hana):
    client.force_login(hana)

    page = client.get(f"/admin/pool/inspect/{member.pk}/").content.decode()

    assert member.user.username in page
    assert "비밀번호 설정 전" in page
    assert "/my/password/" in page


def test_guessing_her_password_locks_her_sign_in_like_the_admins(client, consultant):  # noqa: F811
    consultant.set_password(PASSWORD)
    consultant.save()
    for attempt in range(5):
        client.post("/my/login/", {"username": consultant.username, "password": f"guess-{attempt}"})

    response = client.post("/my/login/", {"username": consultant.username, "password": PASSWORD})

    assert response.status_code == 429
    assert "로그인 시도가 여러 번 실패해 잠시 잠겼습니다" in response.content.decode()
    assert "_auth_user_id" not in client.session
