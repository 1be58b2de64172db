"""'I lost my link': the same answer whether or not an application exists."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from recruiting.tests.factories import make_applicant

pytestmark = pytest.mark.django_db
URL = reverse("recruiting:status_link_request")


@pytest.fixture
def applicant(open_round, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        applicant = make_applicant(open_round)
    mail.outbox.clear()
    return applicant


def _ask(contact: str, capture, client=None):
    with capture(execute=True):
        return (client or Client()).post(URL, {"contact": contact})


@pytest.mark.parametrize("known", ["seoyeon@example.com", "SEOYEON@example.com", "010-1234-5678", "01012345678"])
def test_the_answer_is_identical_for_known_and_unknown_contacts(applicant, known, django_capture_on_commit_callbacks):
    unknown_contact = "nobody@example.com" if "@" in known else "010-9999-9999"
    found = _ask(known, django_capture_on_commit_callbacks)
    not_found = _ask(unknown_contact, django_capture_on_commit_callbacks)
    assert found.status_code == not_found.status_code == 200
    assert found.content == not_found.content
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["seoyeon@example.com"]
    assert f"/status/{applicant.status_token}/" in mail.outbox[0].body


def test_a_malformed_contact_gets_a_korean_message(client):
    response = client.post(URL, {"contact": "not a phone"})
    assert "이메일 주소나 010-1234-5678과 같은" in response.content.decode()


def test_it_is_rate_limited_per_address_and_per_contact(applicant, settings, django_capture_on_commit_callbacks):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "status_link:address": (3, 3600)}
    client = Client()
    responses = [_ask("seoyeon@example.com", django_capture_on_commit_callbacks, client) for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    # Per contact: three emails an hour at most, and the page answers the same anyway.
    assert len(mail.outbox) == 3
    fourth_from_elsewhere = _ask(
        "seoyeon@example.com", django_capture_on_commit_callbacks, Client(REMOTE_ADDR="10.9.9.9")
    )
    assert fourth_from_elsewhere.status_code == 200
    assert len(mail.outbox) == 3
