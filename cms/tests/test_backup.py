"""Backup and restore: a restore brings back what the backup held, and never personal data destroyed since.

The round trips run `manage.py` in processes of their own on a database of their own (a
SQLite file, or a PostgreSQL database created for the test), never on the test database.
"""

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.backup import (
    DATABASE_FILES,
    MEDIA_ARCHIVE,
    PRIVATE_ARCHIVE,
    BackupError,
    Manifest,
    _describe,
    backup_restore,
    backups_prune,
    database_engine,
)
from recruiting.services import ANONYMISED_NAME

BASE_DIR = Path(settings.BASE_DIR)
# The variables of the environment that would point a child process at other places.
OWN_VARIABLES = {
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "REDIS_URL",
    "VAR_DIR",
    "BACKUP_DIR",
    "DESTRUCTION_LEDGER",
    "PRIVATE_MEDIA_ROOT",
    "PRIVATE_MEDIA_ACCEL_REDIRECT",
    "SECRET_KEY",
    "DEBUG",
}
POSTGRESQL = connection.vendor == "postgresql"


@dataclass
class Site:
    """An installation of its own: a database and a VAR_DIR, driven through manage.py."""

    var_dir: Path
    database_url: str

    @property
    def media(self) -> Path:
        return self.var_dir / "media"

    @property
    def private(self) -> Path:
        return self.var_dir / "private"

    @property
    def backups(self) -> Path:
        return self.var_dir / "backups"

    @property
    def ledger(self) -> Path:
        return self.backups / "destruction-ledger.jsonl"

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        environment = {key: value for key, value in os.environ.items() if key not in OWN_VARIABLES}
        environment |= {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "true",
            "DATABASE_URL": self.database_url,
            "VAR_DIR": str(self.var_dir),
            "BACKUP_DIR": str(self.backups),
            "DESTRUCTION_LEDGER": str(self.ledger),
            "PRIVATE_MEDIA_ROOT": str(self.private),
        }
        # No terminal on stdin, as under cron.
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=environment,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
        )

    def ok(self, *args: str) -> str:
        result = self.manage(*args)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def shell(self, code: str) -> dict:
        """Run `code` in `manage.py shell`; it prints one JSON object, which is returned."""
        return json.loads(self.ok("shell", "--verbosity=0", "--command", code).strip().splitlines()[-1])

    def backup(self) -> Path:
        output = self.ok("backup")
        return Path(output.splitlines()[0].removeprefix("Backup written to "))


def _install(site: Site) -> None:
    site.ok("migrate", "--verbosity=0")
    # The demo has what a restore must get right: graduates with certificate PDFs.
    site.ok("seed_demo")


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite installation with the demo, made once and copied by each test (migrating takes long)."""
    var_dir = tmp_path_factory.mktemp("template") / "var"
    var_dir.mkdir()
    _install(Site(var_dir, f"sqlite:///{var_dir / 'db.sqlite3'}"))
    return var_dir


@pytest.fixture
def sqlite_site(sqlite_template, tmp_path) -> Site:
    var_dir = tmp_path / "var"
    shutil.copytree(sqlite_template, var_dir)
    return _with_media(Site(var_dir, f"sqlite:///{var_dir / 'db.sqlite3'}"))


@pytest.fixture
def postgresql_site(tmp_path):
    """A PostgreSQL database of its own on the test server, never the test database, dropped afterwards."""
    db = connection.settings_dict
    server = ["--host", db["HOST"] or "127.0.0.1", "--port", str(db["PORT"] or 5432), "--username", db["USER"]]
    name = f"csrc_backup_test_{os.getpid()}"
    environment = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
    subprocess.run(["dropdb", *server, "--if-exists", name], env=environment, check=True)
    subprocess.run(["createdb", *server, name], env=environment, check=True)
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    url = f"postgres://{db['USER']}{password}@{server[1]}:{server[3]}/{name}"
    site = Site(tmp_path / "var", url)
    site.var_dir.mkdir()
    try:
        _install(site)
        yield _with_media(site)
    finally:
        subprocess.run(["dropdb", *server, "--force", "--if-exists", name], env=environment, check=True)


def _with_media(site: Site) -> Site:
    (site.media / "images").mkdir(parents=True)
    (site.media / "images" / "original.jpg").write_bytes(b"an uploaded image")
    return site


# The person to destroy: a graduate with a certificate PDF; and another certificate's PDF.
STATE_BEFORE = """
import json
from curriculum.models import Certificate
from recruiting.models import Applicant, Branch
certificates = list(Certificate.objects.exclude(pdf="").select_related("enrollment__applicant").order_by("pk"))
person = certificates[0].enrollment.applicant
other = next(c for c in certificates if c.enrollment.applicant_id != person.pk)
print(json.dumps({
    "person": person.pk,
    "name": person.name,
    "pdfs": [c.pdf.path for c in certificates if c.enrollment.applicant_id == person.pk],
    "other_pdf": other.pdf.path,
    "applicants": Applicant.objects.count(),
    "branch": Branch.objects.order_by("pk").values_list("name", flat=True).first(),
}))
"""

# After the backup: the person is destroyed, a branch renamed, and a table appears as a
# newer release's migration would make it, with a foreign key to a table of the backup.
CHANGES_AFTER_BACKUP = """
import json
from django.db import connection
from django.utils import timezone
from assignments.retention import person_destroy
from recruiting.models import Branch
person_destroy(applicant_id={person}, rule="deletion_request", now=timezone.now())
Branch.objects.filter(pk=Branch.objects.order_by("pk").first().pk).update(name="바뀐 지점")
with connection.cursor() as cursor:
    cursor.execute(
        "CREATE TABLE backup_test_newer"
        " (id integer PRIMARY KEY, applicant_id bigint REFERENCES recruiting_applicant (id))"
    )
    cursor.execute("INSERT INTO backup_test_newer VALUES (1, %s)", [{person}])
print(json.dumps({{}}))
"""

STATE_AFTER = """
import json
from django.db import connection
from curriculum.models import Certificate
from recruiting.models import Applicant, Branch
person = Applicant.objects.get(pk={person})
print(json.dumps({{
    "name": person.name,
    "pdf_fields": [c.pdf.name for c in Certificate.objects.filter(enrollment__applicant=person)],
    "applicants": Applicant.objects.count(),
    "branch": Branch.objects.order_by("pk").values_list("name", flat=True).first(),
    "tables": connection.introspection.table_names(),
}}))
"""


@pytest.mark.parametrize(
    "engine",
    [
        "sqlite",
        pytest.param(
            "postgresql", marks=pytest.mark.skipif(not POSTGRESQL, reason="pg_dump and pg_restore need PostgreSQL")
        ),
    ],
)
def test_it_restores_the_backup_and_keeps_a_person_destroyed_since_destroyed(engine, request):
    site = request.getfixturevalue(f"{engine}_site")
    before = site.shell(STATE_BEFORE)
    assert before["name"] != ANONYMISED_NAME
    assert before["pdfs"]
    assert all(Path(pdf).exists() for pdf in before["pdfs"])
    backup = site.backup()
    assert sorted(p.name for p in backup.iterdir()) == sorted(
        [DATABASE_FILES[engine], MEDIA_ARCHIVE, PRIVATE_ARCHIVE, "manifest.json"]
    )

    site.shell(CHANGES_AFTER_BACKUP.format(person=before["person"]))
    assert not any(Path(pdf).exists() for pdf in before["pdfs"])
    assert len(site.ledger.read_text().splitlines()) == 1
    (site.media / "images" / "original.jpg").unlink()
    (site.media / "images" / "later.jpg").write_bytes(b"uploaded after the backup")
    Path(before["other_pdf"]).unlink()

    result = site.manage("restore", "--yes", str(backup))
    assert result.returncode == 0, result.stderr
    assert "re-applied from the ledger" in result.stdout
    assert result.stdout.split("re-applied from the ledger")[1].splitlines()[0].endswith(": 1")

    after = site.shell(STATE_AFTER.format(person=before["person"]))
    # The person destroyed after the backup stays destroyed, her certificate files too.
    assert after["name"] == ANONYMISED_NAME
    assert not any(Path(pdf).exists() for pdf in before["pdfs"])
    # Everything else is as the backup held it.
    assert after["applicants"] == before["applicants"]
    assert after["branch"] == before["branch"]
    assert "backup_test_newer" not in after["tables"]
    assert Path(before["other_pdf"]).exists()
    assert (site.media / "images" / "original.jpg").read_bytes() == b"an uploaded image"
    assert not (site.media / "images" / "later.jpg").exists()
    # The ledger lives with the backups, not in what was restored.
    assert json.loads(site.ledger.read_text())["id"] == before["person"]


def test_it_refuses_a_damaged_backup_and_changes_nothing(sqlite_site):
    site = sqlite_site
    backup = site.backup()
    database = backup / DATABASE_FILES["sqlite"]
    damaged = bytearray(database.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    database.write_bytes(bytes(damaged))
    site.shell(RENAME_BRANCH)
    (site.media / "later.jpg").write_bytes(b"uploaded after the backup")

    result = site.manage("restore", "--yes", str(backup))

    assert result.returncode != 0
    assert "is damaged: database.sqlite3 does not match the checksum" in result.stderr
    assert site.shell(BRANCH_NAME)["branch"] == "바뀐 지점"
    assert (site.media / "later.jpg").exists()
    assert (site.media / "images" / "original.jpg").exists()


def test_it_refuses_to_restore_without_yes_when_nobody_can_confirm(sqlite_site):
    site = sqlite_site
    backup = site.backup()
    site.shell(RENAME_BRANCH)

    result = site.manage("restore", str(backup))

    assert result.returncode != 0
    assert "pass --yes" in result.stderr
    assert "db.sqlite3" in result.stderr
    assert site.shell(BRANCH_NAME)["branch"] == "바뀐 지점"


RENAME_BRANCH = """
import json
from recruiting.models import Branch
Branch.objects.filter(pk=Branch.objects.order_by("pk").first().pk).update(name="바뀐 지점")
print(json.dumps({}))
"""

BRANCH_NAME = """
import json
from recruiting.models import Branch
print(json.dumps({"branch": Branch.objects.order_by("pk").values_list("name", flat=True).first()}))
"""


# Archives that would write outside their folder if extracted as they are.
def _symlink(tar: tarfile.TarFile) -> None:
    link = tarfile.TarInfo("images/link")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    tar.addfile(link)


def _hard_link(tar: tarfile.TarFile) -> None:
    link = tarfile.TarInfo("images/link")
    link.type, link.linkname = tarfile.LNKTYPE, "../../outside.txt"
    tar.addfile(link)


def _file(name: str):
    def add(tar: tarfile.TarFile) -> None:
        info = tarfile.TarInfo(name)
        info.size = 4
        tar.addfile(info, io.BytesIO(b"evil"))

    return add


def _fake_backup(folder: Path, *, add_to_media=None, migrations=None, ledger_entries=0, created_at=None) -> Path:
    """Write a backup folder whose manifest matches its files, with `add_to_media` adding to the media archive."""
    folder.mkdir(parents=True)
    engine = database_engine()
    (folder / DATABASE_FILES[engine]).write_bytes(b"not restored in these tests")
    for name in (MEDIA_ARCHIVE, PRIVATE_ARCHIVE):
        with tarfile.open(folder / name, "w:gz") as tar:
            if name == MEDIA_ARCHIVE and add_to_media:
                add_to_media(tar)
    manifest = Manifest(
        created_at=created_at or timezone.now(),
        engine=engine,
        files={path.name: _describe(path) for path in folder.iterdir()},
        migrations=migrations or {},
        ledger_entries=ledger_entries,
    )
    (folder / "manifest.json").write_text(manifest.to_json())
    return folder


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "site" / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "site" / "private"
    settings.DESTRUCTION_LEDGER = tmp_path / "backups" / "destruction-ledger.jsonl"
    settings.MEDIA_ROOT.mkdir(parents=True)
    (settings.MEDIA_ROOT / "kept.jpg").write_bytes(b"kept")
    return settings.MEDIA_ROOT


@pytest.mark.parametrize(
    "add", [_file("../outside.txt"), _file("/outside.txt"), _file("images/../../outside.txt"), _symlink, _hard_link]
)
def test_it_refuses_an_archive_that_would_write_outside_its_folder(add, media, tmp_path):
    backup = _fake_backup(tmp_path / "backup", add_to_media=add)

    with pytest.raises(BackupError, match="Nothing was restored"):
        backup_restore(source=backup)

    assert sorted(p.name for p in media.iterdir()) == ["kept.jpg"]
    assert not (tmp_path / "outside.txt").exists()


def test_it_refuses_a_backup_of_a_newer_release(media, tmp_path):
    backup = _fake_backup(tmp_path / "backup", migrations={"recruiting": "9999_from_the_future"})

    with pytest.raises(BackupError, match=r"newer release: migrations recruiting\.9999_from_the_future"):
        backup_restore(source=backup)


def test_it_refuses_when_the_ledger_lost_entries_it_had_at_the_backup(media, tmp_path):
    backup = _fake_backup(tmp_path / "backup", ledger_entries=2)

    with pytest.raises(BackupError, match="it held 2 when the backup was taken"):
        backup_restore(source=backup)


def test_it_removes_the_backups_older_than_the_days_to_keep_and_nothing_else(tmp_path):
    now = timezone.now()
    for name, days in (("20260101-020000", 50), ("20260201-020000", 40), ("20260301-020000", 10)):
        _fake_backup(tmp_path / name, created_at=now - timedelta(days=days))
    (tmp_path / "20251201-020000").mkdir()
    (tmp_path / "20251201-020000" / "manifest.json").write_text("damaged")
    (tmp_path / "notes").mkdir()
    (tmp_path / "destruction-ledger.jsonl").write_text("")

    removed = backups_prune(keep_days=30, within=tmp_path)

    assert sorted(p.name for p in removed) == ["20260101-020000", "20260201-020000"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "20251201-020000",
        "20260301-020000",
        "destruction-ledger.jsonl",
        "notes",
    ]


def test_the_newest_backup_stays_however_old(tmp_path):
    for name, days in (("20260101-020000", 50), ("20260201-020000", 40)):
        _fake_backup(tmp_path / name, created_at=timezone.now() - timedelta(days=days))

    backups_prune(keep_days=30, within=tmp_path)

    assert [p.name for p in tmp_path.iterdir()] == ["20260201-020000"]
