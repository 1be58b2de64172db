"""'I lost my link': the same answer whether or not an application exists."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from recruiting import services
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
    unknown_contact = "nobody@example.com" if "@" in known else "010-9876-5432"
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


@pytest.mark.parametrize(
    ("contact", "address"),
    [("seoyeon@example.com", "10.1.1.1"), ("nobody@example.com", "10.1.1.2"), ("01012345678", "10.1.1.3")],
)
def test_the_request_does_the_same_work_whether_or_not_anyone_applied(
    applicant, contact, address, monkeypatch, django_assert_num_queries, django_capture_on_commit_callbacks
):
    queued = []
    queue = services.async_task
    monkeypatch.setattr(services, "async_task", lambda func, **kwargs: queued.append(func) or queue(func, **kwargs))
    Client().get(URL)  # The site and page caches are warm, as on a running site.
    # A fresh address and contact each: both rate-limit counters start, as for any first request.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with django_assert_num_queries(22):
            response = Client(REMOTE_ADDR=address).post(URL, {"contact": contact})
    assert response.status_code == 200
    assert not mail.outbox

    for callback in callbacks:
        callback()
    # One look-up task whoever asked; the worker alone finds out whether to send.
    assert queued == [services.applicant_resend_status_links]


def test_the_worker_emails_the_link_only_when_someone_applied(applicant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert services.applicant_resend_status_links(contact="nobody@example.com") == 0
    assert not mail.outbox

    with django_capture_on_commit_callbacks(execute=True):
        assert services.applicant_resend_status_links(contact="01012345678") == 1
    assert mail.outbox[0].to == ["seoyeon@example.com"]
