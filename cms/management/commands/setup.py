from django.core.management import BaseCommand, call_command

from cms.roles import install_role_groups


class Command(BaseCommand):
    help = "Install what every installation needs after migrate: cache tables and staff roles. Idempotent."

    def handle(self, *args, **options) -> None:
        call_command("createcachetable", verbosity=0)
        groups = install_role_groups()
        if options["verbosity"]:
            self.stdout.write("Roles: " + ", ".join(group.name for group in groups))
