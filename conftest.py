"""Shared personas and data of the tests of every app: the site, a round, and the staff personas."""

import copy
import shutil
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management import call_command
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from pytest_django.plugin import blocking_manager_key

from cms.tests.sitetree import build_site
from core.roles import Role, install_role_groups
from recruiting.consent_defaults import install_default_notices
from recruiting.models import Branch, District, Province, RecruitmentRound
from recruiting.tests.factories import make_staff


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give each test of a module that builds the site once (module_site) the test database and a transaction.

    Without it a test that asks for no database itself would leave the test database
    unmade, and the module's site would be built in the configured one.
    """
    for item in items:
        if "module_site" in getattr(item, "fixturenames", ()) and item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db)


def pytest_fixture_post_finalizer(fixturedef: pytest.FixtureDef, request: pytest.FixtureRequest) -> None:
    """Put back what the migrations installed once a transactional test has emptied the database.

    A transactional test ends by emptying every table, the rows the migrations made (the
    Wagtail root page, the districts, the schedules) included. Run alone, pytest-django
    orders those tests last; run in parallel (pytest-xdist), any test may come next in that
    process, so the rows are restored from the copy taken when the test database was
    made, and every test starts from the migrated database, whatever ran before it.
    """
    if fixturedef.argname != "_django_db_helper" or not _is_transactional(request.node):
        return
    with request.config.stash[blocking_manager_key].unblock():
        for connection in connections.all(initialized_only=True):
            migrated = getattr(connection, "_test_serialized_contents", None)
            if migrated is not None:
                _restore(connection, migrated)


def _restore(connection: BaseDatabaseWrapper, migrated: str) -> None:
    """Empty the database and load the rows of `migrated`, as Django's serialized rollback does."""
    # Read the rows while the content types are there: building a Wagtail page or task looks
    # its content type up, and an empty table would make it anew under another id.
    rows = list(serializers.deserialize("json", migrated, using=connection.alias))
    # Empty it as a transactional test does: the sequences go on, so the rows put back with
    # their own ids never meet an id handed out again.
    options = {"interactive": False, "inhibit_post_migrate": True, "reset_sequences": False}
    call_command("flush", database=connection.alias, verbosity=0, **options)
    ContentType.objects.clear_cache()
    # The content types first, for the same reason, should saving a row look one up.
    rows.sort(key=lambda row: not isinstance(row.object, ContentType))
    with transaction.atomic(using=connection.alias):
        with connection.constraint_checks_disabled():
            for row in rows:
                row.save()
        connection.check_constraints(table_names={row.object._meta.db_table for row in rows})


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Remove the temporary folders config.settings_test made for this process (each xdist worker has its own)."""
    for folder in getattr(django_settings, "TEST_TEMPORARY_FOLDERS", ()):
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def destruction_ledger(settings, tmp_path):
    """Give each test a ledger file of its own, as each has a database of its own."""
    settings.DESTRUCTION_LEDGER = tmp_path / "destruction-ledger.jsonl"
    return settings.DESTRUCTION_LEDGER


def _build_site() -> dict:
    pages = build_site()
    install_default_notices()
    return pages


@pytest.fixture
def site(request, db):
    """The public site with its apply page and the default consent notices.

    Built for each test, or once for a module that asks for `module_site`; then each test
    gets its own copy of the page objects, as Django's setUpTestData gives.
    """
    if "module_site" in request.fixturenames:
        return copy.deepcopy(request.getfixturevalue("module_site"))
    return _build_site()


@pytest.fixture(scope="module")
def module_site(django_db_setup, django_db_blocker):
    """Build the site once for a module (`pytestmark = pytest.mark.usefixtures("module_site")`).

    Building it takes about half a second, more than most tests; a module whose tests all
    use it, none of them transactional, saves that for each test. It lives in a
    transaction rolled back after the module, and each test's changes roll back to it.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_site()
        transaction.set_rollback(True)


@pytest.fixture
def gangseo(site) -> Branch:
    """The branch of build_site that serves 강서구."""
    return Branch.objects.get(slug="branch-0")


@pytest.fixture
def open_round(site) -> RecruitmentRound:
    today = timezone.localdate()
    return RecruitmentRound.objects.create(
        title="2027년 1월 입과",
        opens_on=today - timedelta(days=3),
        closes_on=today + timedelta(days=20),
        cohort_starts_on=today + timedelta(days=60),
        capacity=30,
    )


@pytest.fixture
def form_data(open_round, gangseo) -> dict[str, object]:
    """A valid application as a phone would post it."""
    district = District.objects.get(province=Province.SEOUL, name="강서구")
    return {
        "name": "이서연",
        "mobile": "010-1234-5678",
        "email": "seoyeon@example.com",
        "birth_year": "1986",
        "province": Province.SEOUL,
        "district": str(district.pk),
        "preferred_branch": "",
        "round": str(open_round.pk),
        "source": "referral",
        "motivation": "아이를 키우면서도 제 일을 하고 싶습니다.",
        "preferred_times": ["weekday_morning"],
        "consent_application": "on",
        "website": "",
    }


@pytest.fixture
def apply_url(site) -> str:
    return site["apply"].url


@pytest.fixture
def roles(db):
    """The role groups with their permissions, as `manage.py setup` installs them."""
    install_role_groups()


@pytest.fixture
def alice(roles, gangseo):
    """Alice is a recruiter at the branch that serves 강서구."""
    return make_staff("alice", Role.RECRUITER, gangseo)


@pytest.fixture
def bob(roles, site):
    """Bob manages another branch: 강서 applicants are not his."""
    return make_staff("bob", Role.BRANCH_MANAGER, Branch.objects.get(slug="branch-1"))


@pytest.fixture
def hana(roles):
    """Hana works in HR and sees every branch."""
    return make_staff("hana", Role.HR)
