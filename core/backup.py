"""Back up the database and the two file folders into one folder, and restore such a folder.

A backup is a folder `BACKUP_DIR/<YYYYmmdd-HHMMSS>/` holding the database (pg_dump's custom
format, or a copy made with SQLite's online backup API), `media.tar.gz` (MEDIA_ROOT),
`private.tar.gz` (PRIVATE_MEDIA_ROOT) and `manifest.json`: when it was taken, the database
engine, the size and SHA-256 of every file, the latest applied migration of every app and
how many entries the destruction ledger (core.ledger) held.

This module knows Django's settings and migrations, not our apps: bringing a restored
database forward (migrate) and re-applying the destructions of personal data done after
the dump are the caller's (`manage.py restore`).
"""

import hashlib
import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import tarfile
import tempfile
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from core.ledger import destruction_ledger_read

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
MEDIA_ARCHIVE = "media.tar.gz"
PRIVATE_ARCHIVE = "private.tar.gz"
DATABASE_FILES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
# The name backup_create gives a backup folder: its time, and a number if two share a second.
BACKUP_NAME = re.compile(r"\d{8}-\d{6}(-\d+)?")
ENGINES = {"django.db.backends.postgresql": "postgresql", "django.db.backends.sqlite3": "sqlite"}

# Dropped in the restoring transaction, before the dump's own statements: tables that a
# newer release created are not in an older dump, so pg_restore's --clean leaves them
# (and their foreign keys block dropping the tables it does know), and migrate would then
# fail to create them again. The lock timeout turns a web server or worker still
# connected into a clear error instead of a wait without end.
POSTGRESQL_EMPTY_SCHEMA = """
SET lock_timeout = '15s';
DO $$
DECLARE
    name text;
BEGIN
    FOR name IN SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname = current_schema()
    LOOP
        EXECUTE 'DROP TABLE IF EXISTS ' || name || ' CASCADE';
    END LOOP;
    FOR name IN
        SELECT format('%I.%I', sequence_schema, sequence_name)
        FROM information_schema.sequences WHERE sequence_schema = current_schema()
    LOOP
        EXECUTE 'DROP SEQUENCE IF EXISTS ' || name || ' CASCADE';
    END LOOP;
END $$;
"""

NOT_INSTALLED = "{program} is not installed: install the PostgreSQL client of the server's version (postgresql-client)."

# Database settings that libpq reads from the environment, for pg_dump, pg_restore and psql.
LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


class BackupError(Exception):
    """Refuse to make or restore a backup; the message tells the operator why."""


@dataclass(frozen=True)
class BackupFile:
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """What a backup folder holds, as its manifest.json says."""

    created_at: datetime
    engine: str
    files: dict[str, BackupFile]
    migrations: dict[str, str]
    ledger_entries: int
    # Archive name -> paths left out of it because they are not regular files or folders.
    skipped: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> str:
        """Return the manifest as the JSON text of manifest.json."""
        return json.dumps(
            {
                "format": MANIFEST_FORMAT,
                "created_at": self.created_at.isoformat(),
                "engine": self.engine,
                "files": {name: {"size": f.size, "sha256": f.sha256} for name, f in self.files.items()},
                "migrations": self.migrations,
                "ledger_entries": self.ledger_entries,
                "skipped": self.skipped,
            },
            indent=2,
            sort_keys=True,
        )


def backup_create(*, into: Path | None = None) -> Path:
    """Write a new backup folder under `into` (default BACKUP_DIR) and return its path.

    The folder appears under its final name only when complete, so a backup cut short
    (a full disk, a killed process) never looks like one.
    """
    engine = database_engine()
    parent = Path(into or settings.BACKUP_DIR).resolve()
    for folder in _file_folders().values():
        if parent.is_relative_to(folder.resolve()):
            raise BackupError(f"The backup folder {parent} lies inside {folder}, which the backup archives.")
    parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    now = timezone.localtime()
    stamp = f"{now:%Y%m%d-%H%M%S}"
    # mkdtemp makes the folder readable by its owner only: a backup holds personal data.
    staging = Path(tempfile.mkdtemp(prefix=f".{stamp}-", suffix=".partial", dir=parent))
    try:
        # The database first: every file it names existed before the archives are taken.
        database = staging / DATABASE_FILES[engine]
        if engine == "postgresql":
            _run(["pg_dump", "--format=custom", "--no-password", f"--file={database}"])
        else:
            _sqlite_dump(Path(settings.DATABASES["default"]["NAME"]), database)
        skipped = {}
        for name, folder in _file_folders().items():
            left_out = _archive(folder, staging / name)
            if left_out:
                skipped[name] = left_out
        manifest = Manifest(
            created_at=now,
            engine=engine,
            files={path.name: _describe(path) for path in sorted(staging.iterdir())},
            migrations=_latest_migrations(),
            ledger_entries=sum(1 for _ in destruction_ledger_read()),
            skipped=skipped,
        )
        (staging / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        final = _unused_name(parent, stamp)
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final


def backup_read(*, source: Path) -> Manifest:
    """Return the manifest of the backup folder `source`, refusing one that is missing or malformed.

    It reads the manifest only; `backup_verify` also checks the files against it.
    """
    try:
        data = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
        if data["format"] != MANIFEST_FORMAT:
            raise BackupError(f"{source} is a backup of an unknown format ({data['format']}).")
        manifest = Manifest(
            created_at=datetime.fromisoformat(data["created_at"]),
            engine=data["engine"],
            files={name: BackupFile(size=int(f["size"]), sha256=str(f["sha256"])) for name, f in data["files"].items()},
            migrations={str(app): str(name) for app, name in data["migrations"].items()},
            ledger_entries=int(data["ledger_entries"]),
            skipped=data.get("skipped", {}),
        )
    except FileNotFoundError as error:
        raise BackupError(f"{source} is not a backup folder: it has no {MANIFEST}.") from error
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise BackupError(f"The {MANIFEST} of {source} is damaged ({error!r}).") from error
    if manifest.created_at.tzinfo is None:
        raise BackupError(f"The {MANIFEST} of {source} gives its time without a time zone.")
    if manifest.engine not in DATABASE_FILES:
        raise BackupError(f"The {MANIFEST} of {source} names an unknown database engine, {manifest.engine!r}.")
    # Only the names this module writes: a manifest must not point a restore anywhere else.
    expected = {DATABASE_FILES[manifest.engine], MEDIA_ARCHIVE, PRIVATE_ARCHIVE}
    if set(manifest.files) != expected:
        raise BackupError(f"The {MANIFEST} of {source} lists {sorted(manifest.files)} instead of {sorted(expected)}.")
    return manifest


def backup_verify(*, source: Path) -> Manifest:
    """Check every file of the backup folder `source` against its manifest and return the manifest.

    A size or checksum that differs, or an archive entry that could write outside its
    folder (an absolute path, `..`, a link, a device), refuses the backup.
    """
    manifest = backup_read(source=source)
    for name, expected in manifest.files.items():
        path = source / name
        if not path.is_file():
            raise BackupError(f"The backup {source} is incomplete: {name} is missing.")
        if _describe(path) != expected:
            raise BackupError(
                f"The backup {source} is damaged: {name} does not match the checksum in its manifest. "
                "Nothing was restored."
            )
    for name in (MEDIA_ARCHIVE, PRIVATE_ARCHIVE):
        _check_archive(source / name)
    return manifest


def backup_restore(*, source: Path, accept_ledger_loss: bool = False) -> Manifest:
    """Replace the database and the two file folders with the backup folder `source`; return its manifest.

    Everything is checked before anything is touched: the database engine, that the
    backup is not from a newer release, that the destruction ledger still holds every
    entry it held when the backup was taken (fewer means it was lost or replaced, and the
    destructions since could not be re-applied; `accept_ledger_loss` restores all the
    same), and the files against the manifest. The caller then migrates and replays the
    ledger.
    """
    source = Path(source).resolve()
    manifest = backup_read(source=source)
    engine = database_engine()
    if manifest.engine != engine:
        raise BackupError(f"The backup holds a {manifest.engine} database; this installation uses {engine}.")
    unknown = _unknown_migrations(manifest.migrations)
    if unknown:
        raise BackupError(
            "The backup comes from a newer release: migrations "
            + ", ".join(unknown)
            + " are unknown here. Restore it with that release."
        )
    ledger_entries = sum(1 for _ in destruction_ledger_read())
    if ledger_entries < manifest.ledger_entries and not accept_ledger_loss:
        raise BackupError(
            f"The destruction ledger {settings.DESTRUCTION_LEDGER} holds {ledger_entries} entries, but it held "
            f"{manifest.ledger_entries} when the backup was taken: it was lost or replaced, so personal data "
            "destroyed after the backup would come back. Put the ledger back (it lives with the backups) "
            "and restore again."
        )
    folders = _file_folders()
    kept = [source, Path(settings.DESTRUCTION_LEDGER)]
    if engine == "sqlite":
        kept.append(Path(settings.DATABASES["default"]["NAME"]))
    for folder in folders.values():
        for path in kept:
            if path.resolve().is_relative_to(folder.resolve()):
                raise BackupError(f"{path} lies inside {folder}, which a restore replaces.")
    # Last, as it reads every file: the checks above are cheap.
    backup_verify(source=source)

    # Our own connection would hold a lock on the database being replaced.
    connection.close()
    database = source / DATABASE_FILES[engine]
    if engine == "postgresql":
        _postgresql_restore(database)
    else:
        _sqlite_restore(database, Path(settings.DATABASES["default"]["NAME"]))
    for name, folder in folders.items():
        _replace_folder(folder, source / name)
    return manifest


def backups_prune(*, keep_days: int, within: Path | None = None) -> list[Path]:
    """Remove the backups under `within` (default BACKUP_DIR) older than `keep_days`; return the removed folders.

    A backup keeps personal data destroyed after it was taken until it is removed, so
    backups are kept for a bounded time. The newest backup always stays, and a folder
    without a readable manifest is left for a person to look at.
    """
    parent = Path(within or settings.BACKUP_DIR)
    backups = []
    for folder in parent.iterdir() if parent.is_dir() else []:
        if folder.is_dir() and BACKUP_NAME.fullmatch(folder.name):
            try:
                backups.append((backup_read(source=folder).created_at, folder))
            except BackupError:
                continue
    cutoff = timezone.now() - timedelta(days=keep_days)
    removed = [folder for created_at, folder in sorted(backups)[:-1] if created_at < cutoff]
    for folder in removed:
        shutil.rmtree(folder)
    return removed


def database_engine() -> str:
    """Return the engine of the configured database as a backup names it: postgresql or sqlite."""
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine not in ENGINES:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {engine}.")
    return ENGINES[engine]


def database_label() -> str:
    """Return the configured database in words, for an operator to confirm which one is overwritten."""
    db = settings.DATABASES["default"]
    if database_engine() == "sqlite":
        return f"the SQLite database {db['NAME']}"
    return f'the PostgreSQL database "{db["NAME"]}" on {db.get("HOST") or "the local socket"}:{db.get("PORT") or 5432}'


def _file_folders() -> dict[str, Path]:
    return {MEDIA_ARCHIVE: Path(settings.MEDIA_ROOT), PRIVATE_ARCHIVE: Path(settings.PRIVATE_MEDIA_ROOT)}


def _describe(path: Path) -> BackupFile:
    with path.open("rb") as file:
        digest = hashlib.file_digest(file, "sha256").hexdigest()
    return BackupFile(size=path.stat().st_size, sha256=digest)


def _unused_name(parent: Path, stamp: str) -> Path:
    candidate, number = parent / stamp, 1
    while candidate.exists():
        number += 1
        candidate = parent / f"{stamp}-{number}"
    return candidate


def _latest_migrations() -> dict[str, str]:
    """Return the latest migration applied to the database, app by app."""
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        # Migration names start with their number, so the greatest name is the latest.
        latest[app] = max(latest.get(app, name), name)
    return dict(sorted(latest.items()))


def _unknown_migrations(migrations: dict[str, str]) -> list[str]:
    """Return the migrations of installed apps that this release does not have, as app.name."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    # An older backup may name a migration that a squashed one has since replaced.
    for migration in loader.disk_migrations.values():
        known.update(migration.replaces)
    return [
        f"{app}.{name}"
        for app, name in sorted(migrations.items())
        if app in loader.migrated_apps and (app, name) not in known
    ]


def _libpq_env() -> dict[str, str]:
    """Return the environment that points pg_dump, pg_restore and psql at the configured database.

    The password goes in the environment, never in the arguments, which any user of the
    machine can read in the process list.
    """
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, variable in (
        ("NAME", "PGDATABASE"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    for option, variable in LIBPQ_OPTIONS.items():
        if db.get("OPTIONS", {}).get(option):
            env[variable] = str(db["OPTIONS"][option])
    return env


def _run(command: list[str]) -> None:
    try:
        result = subprocess.run(command, env=_libpq_env(), capture_output=True, text=True)
    except FileNotFoundError as error:
        raise BackupError(NOT_INSTALLED.format(program=command[0])) from error
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def _postgresql_restore(dump: Path) -> None:
    """Replace the configured PostgreSQL database with `dump`, in one transaction.

    pg_restore turns the dump into SQL and psql runs it after emptying the schema, all
    inside one transaction: any error leaves the database as it was.
    """
    env = _libpq_env()
    # No roles or grants of the server the dump came from are assumed on this one.
    script_command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--file=-", str(dump)]
    psql_command = [
        "psql",
        "--no-psqlrc",
        "--quiet",
        "--no-password",
        "--set=ON_ERROR_STOP=1",
        "--single-transaction",
        f"--command={POSTGRESQL_EMPTY_SCHEMA}",
        "--file=-",
    ]
    try:
        with tempfile.TemporaryFile() as script_errors:
            script = subprocess.Popen(script_command, env=env, stdout=subprocess.PIPE, stderr=script_errors)
            psql = subprocess.Popen(
                psql_command, env=env, stdin=script.stdout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            # Only psql reads the script now: should it stop, pg_restore stops too instead of waiting.
            script.stdout.close()
            psql_errors = psql.communicate()[1].decode(errors="replace").strip()
            script.wait()
            script_errors.seek(0)
            script_message = script_errors.read().decode(errors="replace").strip()
    except FileNotFoundError as error:
        raise BackupError(NOT_INSTALLED.format(program=error.filename)) from error
    # psql first: when it fails, pg_restore's broken pipe is only the consequence.
    if psql.returncode != 0:
        if "lock timeout" in psql_errors:
            raise BackupError(
                "The database is in use: stop the web server and the worker, then restore again. "
                f"Nothing was changed.\n{psql_errors}"
            )
        raise BackupError(f"Restoring the database failed; it was not changed:\n{psql_errors}")
    if script.returncode != 0:
        raise BackupError(f"pg_restore failed; the database was not changed: {script_message}")


def _sqlite_dump(database: Path, target: Path) -> None:
    """Copy the live SQLite `database` into `target` with the online backup API: one consistent snapshot."""
    with closing(sqlite3.connect(database, timeout=20)) as live, closing(sqlite3.connect(target)) as copy:
        live.backup(copy)
        # The copy carries the live database's WAL mode; a plain journal keeps it one file.
        copy.execute("PRAGMA journal_mode=DELETE")


def _sqlite_restore(backup: Path, database: Path) -> None:
    """Replace the SQLite `database` with `backup`, page by page under SQLite's own lock."""
    database.parent.mkdir(parents=True, exist_ok=True)
    # Read-only, so restoring never changes the backup and its checksum.
    with (
        closing(sqlite3.connect(backup.as_uri() + "?mode=ro", uri=True)) as copy,
        closing(sqlite3.connect(database, timeout=20)) as live,
    ):
        copy.backup(live)


def _archive(folder: Path, archive: Path) -> list[str]:
    """Write the folders and regular files under `folder` into a gzipped tar; return what was left out.

    Links and devices are left out, because a restore refuses them. Each file is added
    as its own entry, so a file with two names is stored twice rather than as a link.
    """
    skipped = []
    with tarfile.open(archive, "w:gz") as tar:
        if not folder.is_dir():
            return skipped
        for root, folders, files in os.walk(folder):
            folders.sort()
            for name in sorted(folders + files):
                path = Path(root, name)
                info = tarfile.TarInfo(path.relative_to(folder).as_posix())
                status = path.lstat()
                info.mode, info.mtime = stat.S_IMODE(status.st_mode), int(status.st_mtime)
                if stat.S_ISDIR(status.st_mode):
                    info.type = tarfile.DIRTYPE
                    tar.addfile(info)
                elif stat.S_ISREG(status.st_mode):
                    info.size = status.st_size
                    with path.open("rb") as file:
                        tar.addfile(info, file)
                else:
                    skipped.append(info.name)
    return skipped


def _check_archive(archive: Path) -> None:
    """Refuse an archive holding anything but folders and regular files inside its own folder."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                path = PurePosixPath(member.name)
                if path.is_absolute() or ".." in path.parts or not path.parts:
                    raise BackupError(f"{archive} holds an unsafe path, {member.name!r}. Nothing was restored.")
                if not (member.isfile() or member.isdir()):
                    raise BackupError(f"{archive} holds a link or device, {member.name!r}. Nothing was restored.")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{archive} cannot be read ({error}). Nothing was restored.") from error


def _replace_folder(folder: Path, archive: Path) -> None:
    """Replace the contents of `folder` with the checked `archive`, keeping the folder itself (it may be a mount)."""
    folder.mkdir(parents=True, exist_ok=True)
    # Extracted beside the folder, on the same disk, so the switch is one rename per entry
    # and a failed extraction leaves the folder as it was.
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-restore-", dir=folder.parent))
    try:
        with tarfile.open(archive, "r:gz") as tar:
            # The "data" filter refuses what _check_archive refused, once more.
            tar.extractall(staging, filter="data")
        for child in folder.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
        for child in staging.iterdir():
            child.rename(folder / child.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
