"""Upgrades: a database of the previous release, full of rows, migrates to this release and loses nothing.

The previous release's code comes out of the repository's history with `git archive`
(which only reads it) into a folder of its own. Its `migrate` and its demo fill a database
of their own (a SQLite file, or a PostgreSQL database created for the test) with
applicants in every stage, cohorts with marks and attendance, certificates with their
PDFs, the pool and a queue of tasks no worker has run yet. Then this release's `migrate`
and `setup` run on that same database, as an upgrade would, and the new migrations are
undone and done again. Every step is `manage.py` in a process of its own; a snapshot
taken between the steps (row counts, statuses, files, schedules, pending migrations) is
what the tests compare.
"""

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

CURRENT = Path(settings.BASE_DIR)

# The last landed release: the commit whose schema the installed databases hold, and
# so the one this release must upgrade from. When a release is deployed, set this to
# its commit (`git rev-parse HEAD` on what was deployed); the migrations added after it
# are the ones this test proves.
PREVIOUS_RELEASE = "05d1b67e8cdd7b6223427f3c35c5dee4f1fce8b9"

# The apps whose tables are ours to keep, newest layer last (undone in reverse).
PROJECT_APPS = ["core", "recruiting", "curriculum", "assignments", "cms"]
# The rows an upgrade must keep exactly: each person's record and history, the training,
# the certificates, the pool, the public pages and the queue of tasks not yet run. A
# migration that means to add or remove rows in one of them says so here.
UNCHANGED = [
    "recruiting.Applicant",
    "recruiting.ApplicantEvent",
    "recruiting.ApplicantConsent",
    "recruiting.Appointment",
    "curriculum.Cohort",
    "curriculum.Enrollment",
    "curriculum.EnrollmentEvent",
    "curriculum.ModuleResult",
    "curriculum.Attendance",
    "curriculum.Certificate",
    "curriculum.CertificateEvent",
    "assignments.PoolMember",
    "assignments.PoolMemberEvent",
    "wagtailcore.Page",
    "django_q.OrmQ",
]
COUNTED = ["django_q.Schedule", "wagtailcore.Page", "django_q.OrmQ"]

# Run in `manage.py shell` of either release: print one JSON object describing the
# database as that release's code sees it. It names no model of ours, so it works on
# both sides of a rename.
SNAPSHOT = """
import json
from django.apps import apps
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor
from django.utils.module_loading import import_string
from django_q.models import Schedule

snapshot = {"rows": {}, "statuses": {}, "unknown_statuses": [], "files": {}, "missing_files": []}
for model in apps.get_models():
    meta = model._meta
    if meta.proxy or not meta.managed:
        continue
    rows = model._base_manager.all()
    if meta.app_label in PROJECT_APPS or meta.label in COUNTED:
        snapshot["rows"][meta.label] = rows.count()
    fields = {field.name: field for field in meta.concrete_fields}
    if meta.app_label in PROJECT_APPS and "status" in fields:
        known = {str(value) for value, _label in fields["status"].flatchoices}
        statuses = {str(pk): status for pk, status in rows.values_list("pk", "status")}
        snapshot["statuses"][meta.label] = statuses
        snapshot["unknown_statuses"] += [f"{meta.label} {pk}: {s}" for pk, s in statuses.items() if s not in known]
    for field in fields.values():
        if isinstance(field, models.FileField):
            names = rows.exclude(**{field.name: ""}).exclude(**{f"{field.name}__isnull": True})
            names = list(names.values_list(field.name, flat=True))
            snapshot["files"][f"{meta.label}.{field.name}"] = len(names)
            missing = [name for name in names if not field.storage.exists(name)]
            snapshot["missing_files"] += [f"{meta.label}.{field.name}: {name}" for name in missing]

snapshot["broken_schedules"] = []
for schedule in Schedule.objects.all():
    try:
        import_string(schedule.func)
    except ImportError as error:
        snapshot["broken_schedules"].append(f"{schedule.name}: {error}")

executor = MigrationExecutor(connection)
leaves = executor.loader.graph.leaf_nodes()
snapshot["leaves"] = {app: name for app, name in leaves if app in PROJECT_APPS}
snapshot["pending"] = [f"{m.app_label}.{m.name}" for m, _backwards in executor.migration_plan(leaves)]
print(json.dumps(snapshot))
"""

# Variables of the test's environment that would point a child process elsewhere, or
# put this tree's modules before the previous release's.
OWN_VARIABLES = {
    "DJANGO_SETTINGS_MODULE",
    "PYTHONPATH",
    "DATABASE_URL",
    "REDIS_URL",
    "VAR_DIR",
    "BACKUP_DIR",
    "DESTRUCTION_LEDGER",
    "PRIVATE_MEDIA_ROOT",
    "PRIVATE_MEDIA_ACCEL_REDIRECT",
    "SECRET_KEY",
    "SECRET_KEY_FALLBACKS",
    "DEBUG",
    "EMAIL_HOST",
}
POSTGRESQL = connection.vendor == "postgresql"


@dataclass
class Installation:
    """A database and a VAR_DIR of their own, driven by the manage.py of either release."""

    var_dir: Path
    database_url: str

    def manage(self, code: Path, *args: str) -> subprocess.CompletedProcess:
        environment = {key: value for key, value in os.environ.items() if key not in OWN_VARIABLES}
        environment |= {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            # The demo loads only with DEBUG on.
            "DEBUG": "true",
            # Both releases sign the queued tasks with the same key, as one site would.
            "SECRET_KEY": "upgrade-test-key-that-both-releases-share",
            "DATABASE_URL": self.database_url,
            "VAR_DIR": str(self.var_dir),
        }
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=code,
            env=environment,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
        )

    def ok(self, code: Path, *args: str) -> str:
        result = self.manage(code, *args)
        release = "this release" if code == CURRENT else "the previous release"
        assert result.returncode == 0, f"manage.py {' '.join(args)} of {release} failed:\n{result.stderr[-4000:]}"
        return result.stdout

    def snapshot(self, code: Path) -> dict:
        script = f"PROJECT_APPS = {PROJECT_APPS!r}\nCOUNTED = {COUNTED!r}\n{SNAPSHOT}"
        return json.loads(self.ok(code, "shell", "--verbosity=0", "--command", script).strip().splitlines()[-1])


@dataclass
class Upgrade:
    before: dict  # the previous release with its demo
    after: dict  # after this release's migrate and setup
    check: subprocess.CompletedProcess  # this release's `manage.py check`
    undone: dict  # after undoing this release's migrations, seen by the previous release
    redone: dict  # after migrating forward again


def _required(message: str) -> None:
    if os.environ.get("E2E_REQUIRED"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def previous_code(tmp_path_factory) -> Path:
    """The previous release's files, read out of the repository's history."""
    if shutil.which("git") is None:
        _required("git is not installed")
    found = subprocess.run(
        ["git", "cat-file", "-e", f"{PREVIOUS_RELEASE}^{{commit}}"], cwd=CURRENT, capture_output=True
    )
    if found.returncode != 0:
        _required(f"git cannot read the previous release {PREVIOUS_RELEASE}: {found.stderr.decode().strip()}")
    folder = tmp_path_factory.mktemp("previous-release")
    archive = subprocess.run(["git", "archive", PREVIOUS_RELEASE], cwd=CURRENT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


@pytest.fixture(scope="module")
def sqlite_installation(tmp_path_factory) -> Installation:
    var_dir = tmp_path_factory.mktemp("sqlite") / "var"
    var_dir.mkdir()
    return Installation(var_dir, f"sqlite:///{var_dir / 'db.sqlite3'}")


@pytest.fixture(scope="module")
def postgresql_installation(tmp_path_factory) -> Iterator[Installation]:
    """A PostgreSQL database of its own on the test server, never the test database, dropped afterwards."""
    db = connection.settings_dict
    server = ["--host", db["HOST"] or "127.0.0.1", "--port", str(db["PORT"] or 5432), "--username", db["USER"]]
    name = f"csrc_upgrade_test_{os.getpid()}"
    environment = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
    subprocess.run(["dropdb", *server, "--if-exists", name], env=environment, check=True)
    subprocess.run(["createdb", *server, name], env=environment, check=True)
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    var_dir = tmp_path_factory.mktemp("postgresql") / "var"
    var_dir.mkdir()
    try:
        yield Installation(var_dir, f"postgres://{db['USER']}{password}@{server[1]}:{server[3]}/{name}")
    finally:
        subprocess.run(["dropdb", *server, "--force", "--if-exists", name], env=environment, check=True)


@pytest.fixture(
    scope="module",
    params=[
        "sqlite",
        pytest.param(
            "postgresql", marks=pytest.mark.skipif(not POSTGRESQL, reason="the tests run on SQLite, not PostgreSQL")
        ),
    ],
)
def upgrade(request, previous_code) -> Upgrade:
    """Install the previous release with its demo, upgrade it to this one, undo the upgrade and redo it."""
    site: Installation = request.getfixturevalue(f"{request.param}_installation")
    site.ok(previous_code, "migrate", "--verbosity=0")
    # The previous release's demo runs its own `setup` first, as `make run` would have.
    site.ok(previous_code, "seed_demo")
    before = site.snapshot(previous_code)

    site.ok(CURRENT, "migrate", "--verbosity=0")
    site.ok(CURRENT, "setup")
    after = site.snapshot(CURRENT)
    check = site.manage(CURRENT, "check")

    # Undo this release's migrations, each app back to the previous release's last one
    # (in one process, rather than starting Django once per app).
    undo = [
        "from django.core.management import call_command",
        *(
            f"call_command('migrate', {app!r}, {before['leaves'].get(app, 'zero')!r}, verbosity=0)"
            for app in reversed(PROJECT_APPS)
            if after["leaves"].get(app) != before["leaves"].get(app)
        ),
    ]
    site.ok(CURRENT, "shell", "--verbosity=0", "--command", "\n".join(undo))
    undone = site.snapshot(previous_code)

    site.ok(CURRENT, "migrate", "--verbosity=0")
    redone = site.snapshot(CURRENT)
    return Upgrade(before, after, check, undone, redone)


def _unchanged(snapshot: dict) -> dict[str, int]:
    return {label: snapshot["rows"].get(label) for label in UNCHANGED}


def test_it_finds_every_main_table_filled_by_the_previous_release(upgrade):
    # An empty table would prove nothing: the demo must keep filling each of them.
    assert [label for label, count in _unchanged(upgrade.before).items() if not count] == []
    assert upgrade.before["pending"] == []


def test_it_applies_every_migration_of_this_release(upgrade):
    assert upgrade.after["pending"] == []


def test_it_keeps_every_row_of_the_main_tables(upgrade):
    assert _unchanged(upgrade.after) == _unchanged(upgrade.before)


def test_no_table_of_the_previous_release_loses_rows(upgrade):
    shrunk = {
        label: (count, upgrade.after["rows"].get(label))
        for label, count in upgrade.before["rows"].items()
        if upgrade.after["rows"].get(label, -1) < count
    }
    assert shrunk == {}


def test_every_row_keeps_its_status_and_this_release_knows_it(upgrade):
    assert upgrade.after["unknown_statuses"] == []
    for label, statuses in upgrade.before["statuses"].items():
        assert upgrade.after["statuses"].get(label) == statuses, label


def test_every_file_a_row_names_still_resolves(upgrade):
    assert upgrade.before["files"]["curriculum.Certificate.pdf"] > 0
    assert upgrade.after["missing_files"] == []
    assert upgrade.after["files"]["curriculum.Certificate.pdf"] == upgrade.before["files"]["curriculum.Certificate.pdf"]


def test_every_schedule_calls_a_function_of_this_release(upgrade):
    # Schedules outlive an upgrade, so a migration renames what a release moves. Tasks
    # still queued are not checked: a release may move a task's function, which is why
    # the README drains the queue before upgrading; the queue's rows are kept all the same.
    assert upgrade.after["broken_schedules"] == []


def test_the_system_check_passes(upgrade):
    assert upgrade.check.returncode == 0, upgrade.check.stderr


def test_undoing_this_release_gives_back_the_previous_schema_with_its_rows(upgrade):
    assert upgrade.undone["pending"] == []
    assert _unchanged(upgrade.undone) == _unchanged(upgrade.before)
    assert upgrade.undone["statuses"] == upgrade.before["statuses"]


def test_migrating_forward_again_does_nothing_the_first_upgrade_did_not(upgrade):
    # The data migrations run a second time here: each must find its work done.
    assert upgrade.redone["rows"] == upgrade.after["rows"]
    assert upgrade.redone["statuses"] == upgrade.after["statuses"]
    assert upgrade.redone["pending"] == []
