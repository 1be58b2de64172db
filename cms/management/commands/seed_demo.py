"""Load the demo (only with DEBUG on): `cms.demo.loader` does the work; this prints the logins."""

from django.conf import settings
from django.core.management import BaseCommand, CommandError, call_command

from cms.demo.loader import DEMO_LOGINS, DEMO_PASSWORD, DemoLoader, demo_consultant
from core.roles import Role


class Command(BaseCommand):
    help = "Load the demo data (only with DEBUG on). Running it twice changes nothing."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo loads demo logins with a known password; it runs only with DEBUG on.")
        call_command("setup", verbosity=0)
        DemoLoader().load()
        self.stdout.write(self.style.SUCCESS(f"Demo loaded. Logins for {settings.SITE_URL}/admin/ :"))
        for username, _name, role in DEMO_LOGINS:
            label = role.value if role else "superuser"
            self.stdout.write(f"  {username:<10} / {DEMO_PASSWORD}   ({label})")
        consultant = demo_consultant()
        if consultant and consultant.user:
            username = consultant.user.get_username()
            self.stdout.write(
                f"  {username:<10} / {DEMO_PASSWORD}   ({Role.CONSULTANT.value}: {settings.SITE_URL}/my/)"
            )
