"""Repeated wrong passwords lock the admin login for a while; HR sees the locks and lifts them.

Olga is a recruiter whose password an attacker is guessing; hana works in HR; alice is a
recruiter who may not lift locks.
"""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from core.roles import Role
from recruiting.tests.factories import make_staff

LOGIN = "/admin/login/"
LOCKS = "/admin/login-locks/"
ATTACKER = "203.0.113.7"
LOCKED_MESSAGE = "로그인 시도가 여러 번 실패해 잠시 잠겼습니다"


@pytest.fixture
def olga(roles):
    """Olga's password is "x", like every persona's."""
    return make_staff("olga", Role.RECRUITER)


def _log_in(client, username: str, password: str, address: str = ATTACKER):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def _guess(client, username: str, times: int, address: str = ATTACKER) -> None:
    for attempt in range(times):
        _log_in(client, username, f"wrong-{attempt}", address)


def _is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_it_refuses_the_right_password_after_repeated_wrong_ones(client, olga):
    _guess(client, "olga", 40)

    response = _log_in(client, "olga", "x")

    assert response.status_code == 429
    assert LOCKED_MESSAGE in response.content.decode()
    assert not _is_logged_in(client)


def test_it_still_lets_a_person_who_mistyped_a_few_times_in(client, olga):
    _guess(client, "olga", 4)

    assert _log_in(client, "olga", "x").status_code == 302
    assert _is_logged_in(client)


def test_other_users_are_unaffected(client, olga, hana):
    _guess(client, "olga", 10)

    response = _log_in(client, "hana", "x", address="198.51.100.20")

    assert response.status_code == 302
    assert _is_logged_in(client)


def test_one_username_guessed_from_many_addresses_is_locked(client, olga):
    for number in range(1, 6):
        _guess(client, "olga", 1, address=f"198.51.100.{number}")

    assert _log_in(client, "olga", "x", address="198.51.100.99").status_code == 429


def test_one_address_trying_many_usernames_is_locked(client, olga):
    for name in ("kim", "lee", "park", "choi", "jung"):
        _guess(client, name, 1)

    assert _log_in(client, "olga", "x").status_code == 429


def test_the_lock_lifts_after_the_cool_off(client, olga):
    _guess(client, "olga", 5)
    assert _log_in(client, "olga", "x").status_code == 429

    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        response = _log_in(client, "olga", "x")

    assert response.status_code == 302
    assert _is_logged_in(client)


def test_the_address_comes_from_our_proxy_when_it_forwards_it(client, olga, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for number in range(5):
        client.post(
            LOGIN,
            {"username": f"name-{number}", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{number}, {ATTACKER}",
        )

    # Five failures from one visitor behind the proxy lock that visitor, not the proxy.
    assert _log_in(client, "olga", "x", address="10.0.0.1").status_code == 302


def test_hr_sees_the_lock_and_lifts_it(client, olga, hana):
    _guess(client, "olga", 6)
    client.force_login(hana)

    listing = client.get(LOCKS).content.decode()
    assert "olga" in listing
    assert ATTACKER in listing
    confirm = client.get(LOCKS + "unlock/", {"username": "olga"})
    assert confirm.status_code == 200
    assert 'type="checkbox"' not in confirm.content.decode()
    assert client.post(LOCKS + "unlock/", {"username": "olga"}).status_code == 302

    client.logout()
    assert _log_in(client, "olga", "x").status_code == 302
    # The lockout itself stays on record for HR.
    client.force_login(hana)
    assert "olga" in client.get(LOCKS).content.decode()


def test_hr_lifts_the_lock_of_an_address(client, olga, hana):
    for name in ("kim", "lee", "park", "choi", "jung"):
        _guess(client, name, 1)
    client.force_login(hana)

    assert client.post(LOCKS + "unlock/", {"address": ATTACKER}).status_code == 302

    client.logout()
    assert _log_in(client, "olga", "x").status_code == 302


def test_a_recruiter_cannot_lift_a_lock(client, olga, alice):
    _guess(client, "olga", 6)
    client.force_login(alice)

    # Wagtail answers a function outside one's role with a redirect to the dashboard.
    for response in (client.get(LOCKS), client.post(LOCKS + "unlock/", {"username": "olga"})):
        assert response.status_code in (302, 403)
        assert response.status_code == 403 or response["Location"] == "/admin/"

    client.logout()
    assert _log_in(client, "olga", "x").status_code == 429
