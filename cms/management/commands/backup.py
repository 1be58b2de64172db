"""Back up the database, the media and the private files into a new folder under BACKUP_DIR (core.backup)."""

from pathlib import Path

from django.core.management import BaseCommand, CommandError

from core.backup import BackupError, backup_create, backup_read, backups_prune


class Command(BaseCommand):
    help = (
        "Back up the database, the media and the private files into a new folder BACKUP_DIR/<YYYYmmdd-HHMMSS>/ "
        "with a manifest of checksums. Safe while the site runs."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--into", type=Path, help="write the backup folder under this folder instead of BACKUP_DIR")
        parser.add_argument(
            "--keep-days",
            type=int,
            help="then remove the backups there older than this many days (the newest always stays)",
        )

    def handle(self, *args, into: Path | None, keep_days: int | None, **options) -> None:
        if keep_days is not None and keep_days < 1:
            raise CommandError("--keep-days must be at least 1.")
        try:
            folder = backup_create(into=into)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = backup_read(source=folder)
        self.stdout.write(self.style.SUCCESS(f"Backup written to {folder}"))
        for name, file in manifest.files.items():
            self.stdout.write(f"  {name:<20} {_size(file.size):>10}")
        for name, paths in manifest.skipped.items():
            self.stderr.write(
                self.style.WARNING(f"Left out of {name}, as links and devices cannot be restored: {', '.join(paths)}")
            )
        if keep_days is not None:
            for removed in backups_prune(keep_days=keep_days, within=folder.parent):
                self.stdout.write(f"Removed the backup {removed}, older than {keep_days} days")


def _size(size: int) -> str:
    """Return a size in bytes as people read it: 812 B, 1.4 MB."""
    value, unit = float(size), "B"
    for bigger in ("KB", "MB", "GB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
