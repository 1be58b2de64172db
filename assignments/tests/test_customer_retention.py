"""A customer who left the book is destroyed a year later, her run history kept; a restore destroys her again."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone

from assignments.models import Assignment, Contract, Customer, CustomerAccessRecord
from assignments.retention import destructions_replay, personal_data_retention
from assignments.services import assignment_run_plan, assignment_run_start
from assignments.tests.factories import BOOK_HEADING, import_book
from core.ledger import destruction_ledger_read
from recruiting.models import ANONYMISED_NAME

pytestmark = pytest.mark.django_db
STAYS = "C1,김서연,010-1234-5678,서울특별시 강서구 공항대로 247,K-1,자동차,45000,,P1,2026-11-02"
LEAVES = "C2,박민지,010-9876-5432,서울특별시 양천구 목동로 77,K-2,장기,82000,,P1,2026-11-02"


def _book(*rows: str) -> bytes:
    return ("\n".join([BOOK_HEADING, *rows]) + "\n").encode()


def _traces(*needles: str) -> list[str]:
    found = []
    for model in apps.get_models():
        fields = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField | models.JSONField)
        ]
        for row in model.objects.values_list(*fields) if fields else []:
            text = " ".join(str(value) for value in row)
            found += [f"{model._meta.label} holds {needle}" for needle in needles if needle in text]
    return found


def test_a_customer_who_left_the_book_is_destroyed_after_a_year(hana, member, settings, tmp_path):
    settings.DESTRUCTION_LEDGER = str(tmp_path / "ledger.jsonl")
    import_book(_book(STAYS, LEAVES), actor=hana)
    assignment_run_plan(run_id=assignment_run_start(actor=hana, branch=None).pk)
    import_book(_book(STAYS), actor=hana)
    left = Customer.objects.get(number="C2")
    assert left.left_book_on == timezone.localdate()
    CustomerAccessRecord.objects.create(user=hana, username="hana", action="view", customer=left, reason="audit")

    a_year_on = timezone.now() + timedelta(days=settings.CUSTOMER_RECORD_RETENTION_DAYS)
    assert personal_data_retention(now=a_year_on)["customers_destroyed"] == 0
    figures = personal_data_retention(now=a_year_on + timedelta(days=1))
    assert figures["customers_destroyed"] == 1

    left.refresh_from_db()
    assert left.name == ANONYMISED_NAME
    assert _traces("박민지", "01098765432", "목동로", "K-2") == []
    assert not Contract.objects.filter(customer=left).exists()
    assert Assignment.objects.filter(customer=left).exists(), "the runs that placed her still count true"
    assert left.sigungu
    assert left.premium == 82000
    assert Customer.objects.get(number="C1").name == "김서연", "a customer still in the book is kept"
    assert personal_data_retention(now=a_year_on + timedelta(days=2))["customers_destroyed"] == 0

    # A backup taken before the destruction brings her back; the ledger destroys her again.
    Customer.objects.filter(pk=left.pk).update(name="박민지", anonymised_at=None, number="C2")
    entries = list(destruction_ledger_read())
    assert [(entry.kind, entry.object_id) for entry in entries] == [("customer", left.pk)]
    assert destructions_replay(entries=entries) == 1
    assert _traces("박민지") == []
