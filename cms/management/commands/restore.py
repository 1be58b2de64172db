"""Restore a backup folder written by `backup`, and keep destroyed personal data destroyed.

The database and the two file folders go back to the moment of the backup (core.backup);
migrate brings a backup of an older release forward; then every destruction in the
ledger (core.ledger), which lives with the backups and not in the database, is done
again, so personal data destroyed after the backup was taken does not come back.
"""

import sys
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.management import BaseCommand, CommandError, call_command

from assignments.retention import destructions_replay, personal_data_retention
from core.backup import BackupError, backup_read, backup_restore, database_label
from core.ledger import destruction_ledger_read


class Command(BaseCommand):
    help = (
        "Restore a backup folder written by `backup`: the database, the media and the private files. "
        "Then migrate, and destroy again every personal data destroyed since (the destruction ledger). "
        "Stop the web server and the worker first."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", type=Path, help="the backup folder, e.g. BACKUP_DIR/20260301-020000")
        parser.add_argument("--yes", action="store_true", help="overwrite without asking (for scripts)")
        parser.add_argument(
            "--accept-ledger-loss",
            action="store_true",
            help=(
                "restore although the destruction ledger holds fewer entries than when the backup was taken; "
                "personal data destroyed after the backup may come back"
            ),
        )

    def handle(self, *args, folder: Path, yes: bool, accept_ledger_loss: bool, **options) -> None:
        try:
            manifest = backup_read(source=folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        target = f"{database_label()}, {settings.MEDIA_ROOT} and {settings.PRIVATE_MEDIA_ROOT}"
        if not yes:
            self._confirm(target, manifest.created_at.isoformat(timespec="seconds"))
        try:
            backup_restore(source=folder, accept_ledger_loss=accept_ledger_loss)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored the backup of {manifest.created_at.isoformat(timespec='seconds')} into {target}.")
        try:
            call_command("migrate", interactive=False, verbosity=options["verbosity"])
        except Exception as error:
            raise CommandError(
                f"migrate failed after the restore: {error}. The database may hold personal data destroyed "
                "after the backup was taken: keep the site stopped, fix the error and run the restore again."
            ) from error
        replayed = destructions_replay(entries=destruction_ledger_read())
        self.stdout.write(
            f"Destructions of personal data re-applied from the ledger {settings.DESTRUCTION_LEDGER}: {replayed}"
        )
        # What fell due while the backup lay unused goes now, not at the next daily run.
        retention = personal_data_retention()
        self.stdout.write(f"Retention rules run: {retention}")
        # What a newer release installs after migrate (roles, jobs, cache tables), as after an upgrade.
        call_command("setup", verbosity=0)
        # Cached pages and values are of the state before the restore.
        for cache in caches.all(initialized_only=False):
            cache.clear()
        self.stdout.write(self.style.SUCCESS("Restore complete. Start the web server and the worker again."))

    def _confirm(self, target: str, created_at: str) -> None:
        if not sys.stdin.isatty():
            raise CommandError(f"Not restoring: this would overwrite {target}; pass --yes to restore without a prompt.")
        answer = input(
            f"This overwrites {target} with the backup of {created_at}.\n"
            "Stop the web server and the worker first. Type 'yes' to restore: "
        )
        if answer.strip().lower() != "yes":
            raise CommandError("Restore cancelled; nothing was changed.")
