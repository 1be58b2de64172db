"""One certificate batch per cohort at a time, and a progress page that tells the truth."""

import importlib
import threading
from datetime import date

import pytest
from django.apps import apps
from django.db import connection

from core.states import state_change
from curriculum import services
from curriculum.certificates import services as certificate_services
from curriculum.models import BatchStatus, CertificateBatch, Cohort, Enrollment
from curriculum.tests.factories import make_accepted, make_graduate


@pytest.fixture
def cohort(cohort):
    """The 7기 of these tests trained in the first months of 2026: it has ended, so certificates may be issued."""
    cohort.starts_on = date(2026, 1, 5)
    cohort.capacity = 10
    cohort.save()
    return cohort


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _graduates(cohort, open_round, hana, count: int) -> list[Enrollment]:
    return [
        make_graduate(
            services.enrollment_enroll(cohort=cohort, applicant=make_accepted(open_round, 100 + number), actor=hana),
            actor=hana,
        )
        for number in range(count)
    ]


def test_it_returns_the_batch_in_progress_instead_of_starting_a_second(
    client, cohort, open_round, hana, media, django_capture_on_commit_callbacks
):
    _graduates(cohort, open_round, hana, 3)
    client.force_login(hana)
    # The worker has not picked the first batch up yet when HR presses again, twice.
    with django_capture_on_commit_callbacks() as queued:
        first = client.post(f"/admin/cohorts/{cohort.pk}/certificates/batch/")
        second = client.post(f"/admin/cohorts/{cohort.pk}/certificates/batch/")
        third = client.post(f"/admin/cohorts/{cohort.pk}/certificates/batch/")
    batch = CertificateBatch.objects.get()
    assert first["Location"] == second["Location"] == third["Location"]
    assert first["Location"] == f"/admin/cohorts/{cohort.pk}/certificates/batch/{batch.pk}/"
    for run in queued:
        run()
    batch.refresh_from_db()
    assert (batch.status, batch.total, batch.done) == ("finished", 3, 3)
    page = client.get(first["Location"]).content.decode()
    assert '<progress max="3" value="3">' in page
    assert "수료증 3장 중 3장 (100%)" in page


def test_a_finished_batch_counts_what_it_did_not_what_was_missing_when_queued(
    client, cohort, open_round, hana, media, django_capture_on_commit_callbacks
):
    enrollments = _graduates(cohort, open_round, hana, 3)
    with django_capture_on_commit_callbacks() as queued:
        batch = certificate_services.certificate_batch_start(cohort=cohort, actor=hana)
    assert batch.total == 3
    # Before the worker gets to it, every certificate is issued by other means (HR on
    # each trainee's page here; another batch, before there could be only one).
    for enrollment in enrollments:
        certificate = certificate_services.certificate_issue(enrollment=enrollment, actor=hana, render_later=False)
        certificate_services.certificate_render(certificate_id=certificate.pk)
    for run in queued:
        run()
    batch.refresh_from_db()
    assert (batch.status, batch.total, batch.done) == ("finished", 0, 0)
    client.force_login(hana)
    page = client.get(f"/admin/cohorts/{cohort.pk}/certificates/batch/{batch.pk}/").content.decode()
    assert '<progress max="0" value="0">' in page
    assert "빠진 수료증이 없었습니다" in page


def test_a_rerun_of_a_batch_stopped_half_way_counts_on_from_where_it_was(
    cohort, open_round, hana, media, django_capture_on_commit_callbacks
):
    first, second, third = _graduates(cohort, open_round, hana, 3)
    with django_capture_on_commit_callbacks() as queued:
        batch = certificate_services.certificate_batch_start(cohort=cohort, actor=hana)
    # A worker killed after two certificates: the batch is running with two done.
    for enrollment in (first, second):
        certificate = certificate_services.certificate_issue(enrollment=enrollment, actor=hana, render_later=False)
        certificate_services.certificate_render(certificate_id=certificate.pk)
    state_change(batch, to=BatchStatus.RUNNING, actor=None)
    CertificateBatch.objects.filter(pk=batch.pk).update(done=2)
    # The broker's retry and HR's second press both run the same batch.
    with django_capture_on_commit_callbacks() as again:
        assert certificate_services.certificate_batch_start(cohort=cohort, actor=hana) == batch
    for run in [*queued, *again]:
        run()
    batch.refresh_from_db()
    assert (batch.status, batch.total, batch.done) == ("finished", 3, 3)
    assert CertificateBatch.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's concurrent transactions")
def test_batches_started_at_once_for_one_cohort_make_one(cohort, hana, monkeypatch):
    monkeypatch.setattr(certificate_services, "async_task", lambda *args, **kwargs: None)
    barrier = threading.Barrier(3)
    started, errors = [], []

    def start():
        try:
            barrier.wait()
            started.append(certificate_services.certificate_batch_start(cohort=cohort, actor=hana).pk)
        except Exception as error:  # noqa: BLE001 - the test asserts on it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    batch = CertificateBatch.objects.get(cohort=cohort)
    assert started == [batch.pk] * 3
    assert Cohort.objects.get(pk=cohort.pk).certificate_batches.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_closes_all_but_the_newest_batch_of_a_cohort(cohort, hana):
    """A database from before the rule may hold several batches in progress for one cohort."""
    constraint = next(c for c in CertificateBatch._meta.constraints if c.name == "one_batch_in_progress_per_cohort")
    with connection.schema_editor() as editor:
        editor.remove_constraint(CertificateBatch, constraint)
    older, newer = (CertificateBatch.objects.create(cohort=cohort, requested_by=hana) for _ in range(2))
    migration = importlib.import_module("curriculum.migrations.0012_one_certificate_batch_in_progress_per_cohort")
    migration.finish_all_but_the_newest_batch(apps, None)
    with connection.schema_editor() as editor:
        editor.add_constraint(CertificateBatch, constraint)
    older.refresh_from_db()
    newer.refresh_from_db()
    assert (older.status, newer.status) == (BatchStatus.FINISHED, BatchStatus.QUEUED)
    assert older.events.get().to_status == BatchStatus.FINISHED
