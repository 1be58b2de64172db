"""Import a book of orphaned customers from the command line: for files larger than the web upload allows."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from assignments.errors import BookError
from assignments.services import book_import_run, book_import_start


class Command(BaseCommand):
    help = "Import a book of orphaned customers (CSV or XLSX) as the given staff user, and read it now."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--as", dest="username", required=True, help="The HR login the import is recorded under")

    def handle(self, *args, path: Path, username: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None or not user.has_perm("assignments.import_customers"):
            raise CommandError(f"{username} is not a login that may import the book.")
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        try:
            # Streamed from the disk in chunks, however large the file.
            with path.open("rb") as source:
                book_import, created = book_import_start(upload=File(source, name=path.name), actor=user)
        except BookError as error:
            raise CommandError(str(error)) from None
        if not created:
            self.stdout.write(f"{path.name} was imported before (import {book_import.pk}); nothing changed.")
            return
        book_import = book_import_run(import_id=book_import.pk)
        self.stdout.write(
            f"Import {book_import.pk}: {book_import.get_status_display()}, {book_import.customers} customers, "
            f"{book_import.rows_refused} rows refused, {book_import.customers_new} new, "
            f"{book_import.customers_gone} gone. {book_import.failure}"
        )
