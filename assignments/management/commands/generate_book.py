"""Write a generated book of orphaned customers, for trying the import and for benchmarks."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assignments.book_generator import book_write


class Command(BaseCommand):
    help = "Write a generated book of orphaned customers (CSV or XLSX) in the import's columns."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The file to write: .csv or .xlsx")
        parser.add_argument("--customers", type=int, default=1000, help="How many customers (default 1000)")
        parser.add_argument("--seed", type=int, default=0, help="The same seed gives the same book")

    def handle(self, *args, path: Path, customers: int, seed: int, **options):
        if path.suffix.lower() not in (".csv", ".xlsx"):
            raise CommandError("The file must end in .csv or .xlsx.")
        if customers < 1:
            raise CommandError("--customers must be at least 1.")
        rows = book_write(path, customers, seed=seed)
        self.stdout.write(f"{path}: {customers} customers, {rows} contracts")
