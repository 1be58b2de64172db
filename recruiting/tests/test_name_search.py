"""Searching the applicant list by part of a name, and the name's grams that index it on PostgreSQL."""

import importlib

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from recruiting import services
from recruiting.models import ANONYMISED_NAME, Applicant
from recruiting.models.applicants import search_grams, text_grams
from recruiting.tests.factories import make_applicant

LIST = "/admin/applicants/"
NAMES = ["이서연", "김서연", "이서진서연", "박민지", "Jane SMITH", "Seo-yeon Lee"]
POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture
def applicants(open_round) -> dict[str, Applicant]:
    return {
        name: make_applicant(open_round, mobile=f"0105555{number:04d}", email=f"n{number}@example.com", name=name)
        for number, name in enumerate(NAMES)
    }


def _search(client, words: str) -> list[str]:
    response = client.get(LIST, {"q": words})
    assert response.status_code == 200
    return sorted(applicant.name for applicant in response.context["object_list"])


@pytest.mark.parametrize(
    ("words", "found"),
    [
        ("서연", ["김서연", "이서연", "이서진서연"]),
        ("이서", ["이서연", "이서진서연"]),
        ("진서연", ["이서진서연"]),
        ("민지", ["박민지"]),
        ("박민지", ["박민지"]),
        ("smith", ["Jane SMITH"]),
        ("jane s", ["Jane SMITH"]),
        ("Ne Sm", ["Jane SMITH"]),
        ("SEO-YE", ["Seo-yeon Lee"]),
        ("n l", ["Seo-yeon Lee"]),
    ],
)
def test_any_part_of_two_characters_or_more_finds_the_name(client, hana, applicants, words, found):
    client.force_login(hana)
    assert _search(client, words) == found


@pytest.mark.parametrize(
    ("words", "found"),
    [("박", ["박민지"]), ("연", ["김서연", "이서연", "이서진서연"]), ("J", ["Jane SMITH"])],
)
def test_one_character_finds_every_name_holding_it(client, hana, applicants, words, found):
    client.force_login(hana)
    assert _search(client, words) == sorted(found)


@pytest.mark.parametrize("words", ["이서연서", "서이", "연서진", "smiths", "jane  smith", "민지박"])
def test_names_holding_the_pairs_apart_are_not_found(client, hana, applicants, words):
    client.force_login(hana)
    assert _search(client, words) == []


def test_the_search_finds_the_pairs_only_together(client, hana, applicants):
    # 이서진서연 holds both pairs of 이서연, 이서 and 서연, but not 이서연 itself.
    assert set(search_grams("이서연")) <= set(applicants["이서진서연"].name_grams)
    client.force_login(hana)
    assert _search(client, "이서연") == ["이서연"]


def test_grams_are_the_lower_cased_characters_and_pairs():
    assert text_grams("이서연") == ["서", "서연", "연", "이", "이서"]
    assert text_grams("Ann") == ["a", "an", "n", "nn"]
    assert search_grams("서연") == ["서연"]
    assert search_grams("ANNA") == ["an", "na", "nn"]
    assert search_grams("서") == ["서"]
    assert search_grams("") == []


def test_the_grams_follow_the_name(applicants):
    applicant = applicants["이서연"]
    assert applicant.name_grams == text_grams("이서연")
    applicant.name = "최수아"
    applicant.save(update_fields=["name"])
    applicant.refresh_from_db()
    assert applicant.name_grams == text_grams("최수아")
    applicant.name = "정하은"
    applicant.save()
    applicant.refresh_from_db()
    assert applicant.name_grams == text_grams("정하은")


def test_a_save_without_the_name_leaves_the_grams(applicants):
    applicant = applicants["이서연"]
    applicant.status_token = "x" * 40
    with CaptureQueriesContext(connection) as queries:
        applicant.save(update_fields=["status_token"])
    assert "name_grams" not in queries[-1]["sql"]


def test_anonymising_empties_the_grams_of_the_name(client, hana, applicants):
    applicant = applicants["이서연"]
    with transaction.atomic():
        services.applicant_anonymise(applicant=applicant, now=timezone.now())
    applicant.refresh_from_db()
    # What is left is derived from the placeholder, which tells nothing about the person.
    assert applicant.name_grams == text_grams(ANONYMISED_NAME)
    assert not {"이", "서연", "이서"} & set(applicant.name_grams)
    client.force_login(hana)
    assert _search(client, "이서연") == []


def test_the_migration_fills_the_grams_of_existing_rows_in_batches(applicants, monkeypatch):
    migration = importlib.import_module("recruiting.migrations.0017_applicant_name_grams")
    monkeypatch.setattr(migration, "BATCH_SIZE", 2)
    Applicant.objects.update(name_grams=[])
    migration.fill_name_grams(apps, None)
    assert {applicant.name: applicant.name_grams for applicant in Applicant.objects.all()} == {
        name: text_grams(name) for name in NAMES
    }


def _search_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST, {"q": "서연"}).status_code == 200
    return len(queries)


def test_the_search_takes_the_same_queries_for_3_or_30_matches(client, hana, open_round):
    client.force_login(hana)
    for number in range(3):
        make_applicant(open_round, mobile=f"0106666{number:04d}", email=f"s{number}@example.com", name="김서연")
    few = _search_queries(client)
    for number in range(3, 30):
        make_applicant(open_round, mobile=f"0106666{number:04d}", email=f"s{number}@example.com", name="김서연")
    assert _search_queries(client) == few == 13


@pytest.mark.skipif(not POSTGRESQL, reason="the GIN index exists on PostgreSQL only")
@pytest.mark.parametrize("words", ["서연", "서"])
def test_the_search_reads_the_gin_index(applicants, words):
    with connection.cursor() as cursor:
        # On a table this small a full read is cheapest; forbid it to see the index is usable.
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = Applicant.objects.filter(Applicant.objects.name_condition(words)).explain()
    assert "applicant_name_grams_gin" in plan, plan


@pytest.mark.skipif(not POSTGRESQL, reason="the grams are searched on PostgreSQL only")
def test_one_or_two_characters_are_searched_by_their_grams_alone():
    # Exact already; the LIKE would only mislead the planner (see name_condition).
    assert "LIKE" not in str(Applicant.objects.filter(Applicant.objects.name_condition("서연")).query)
    assert "LIKE" in str(Applicant.objects.filter(Applicant.objects.name_condition("이서연")).query)
