from django.core.management import BaseCommand, call_command

from assignments.schedules import JOBS as ASSIGNMENT_JOBS
from cms.consent_defaults import install_default_notices
from cms.roles import install_role_groups
from curriculum.schedules import JOBS as CURRICULUM_JOBS
from curriculum.services import curriculum_install_default
from recruiting.schedules import JOBS as RECRUITING_JOBS
from recruiting.schedules import install_schedules


class Command(BaseCommand):
    help = (
        "Install what every installation needs after migrate: cache tables, staff roles, consent notices, "
        "the daily jobs and the default curriculum. Idempotent."
    )

    def handle(self, *args, **options) -> None:
        call_command("createcachetable", verbosity=0)
        groups = install_role_groups()
        notices = install_default_notices()
        schedules = install_schedules(RECRUITING_JOBS | CURRICULUM_JOBS | ASSIGNMENT_JOBS)
        curriculum = curriculum_install_default()
        if options["verbosity"]:
            self.stdout.write("Roles: " + ", ".join(group.name for group in groups))
            self.stdout.write(f"Consent notices created: {notices}")
            self.stdout.write("Schedules created: " + (", ".join(schedules) or "none"))
            self.stdout.write(f"Default curriculum created: {curriculum}")
