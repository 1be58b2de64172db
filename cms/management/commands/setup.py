from django.core.management import BaseCommand, call_command
from django.db import transaction
from wagtail.models import Workflow

from assignments.schedules import JOBS as ASSIGNMENT_JOBS
from cms.site_install import site_install
from cms.sites import default_site_follow_site_url, site_address
from core.roles import install_role_groups
from core.schedules import install_schedules
from curriculum.defaults import DEFAULT_CURRICULUM_NAME, RETIRED_WORDING
from curriculum.models import Curriculum, Module
from curriculum.schedules import JOBS as CURRICULUM_JOBS
from curriculum.services import curriculum_install_default
from recruiting.consent_defaults import install_default_notices
from recruiting.schedules import JOBS as RECRUITING_JOBS

# The approval workflow Wagtail installs on the whole page tree. Its approvers are the
# "Moderators" group, which our roles replace, so a submitted page waited for nobody.
WAGTAIL_DEFAULT_WORKFLOW = "Moderators approval"


def remove_default_workflow() -> bool:
    """Deactivate Wagtail's default approval workflow; return whether it was active.

    Our editors are a small team who publish themselves (they hold publish permission).
    Deactivating also cancels submissions still waiting, which unlocks their pages.
    Workflows stay available under Settings for a team that wants a review step.
    """
    workflow = Workflow.objects.filter(name=WAGTAIL_DEFAULT_WORKFLOW, active=True).first()
    if workflow is None:
        return False
    workflow.deactivate()
    return True


def reword_default_curriculum() -> int:
    """Replace retired default wording in the installed default curriculum; return how many texts changed."""
    changed = 0
    with transaction.atomic():
        curriculum = Curriculum.objects.filter(name=DEFAULT_CURRICULUM_NAME).first()
        if curriculum is None:
            return 0
        if curriculum.description in RETIRED_WORDING:
            curriculum.description = RETIRED_WORDING[curriculum.description]
            curriculum.save(update_fields=["description"])
            changed += 1
        for old, new in RETIRED_WORDING.items():
            changed += Module.objects.filter(curriculum=curriculum, title=old).update(title=new)
    return changed


class Command(BaseCommand):
    help = (
        "Install what every installation needs after migrate: cache tables, staff roles, consent notices, "
        "the daily jobs, the default curriculum, and the public site (the six branches, the pages in Korean, "
        "the site settings) where it has none; retire Wagtail's default approval workflow and put the "
        "default site at SITE_URL. Idempotent: what exists is left as editors left it."
    )

    def handle(self, *args, **options) -> None:
        call_command("createcachetable", verbosity=0)
        groups = install_role_groups()
        workflow_removed = remove_default_workflow()
        notices = install_default_notices()
        schedules = install_schedules(RECRUITING_JOBS | CURRICULUM_JOBS | ASSIGNMENT_JOBS)
        curriculum = curriculum_install_default()
        reworded = reword_default_curriculum()
        installed = site_install()
        site_moved = default_site_follow_site_url()
        if options["verbosity"]:
            self.stdout.write("Roles: " + ", ".join(group.name for group in groups))
            if workflow_removed:
                self.stdout.write("Wagtail's default approval workflow removed: editors publish directly")
            self.stdout.write(f"Consent notices created: {notices}")
            self.stdout.write("Schedules created: " + (", ".join(schedules) or "none"))
            self.stdout.write(f"Default curriculum created: {curriculum}")
            if installed.branches:
                self.stdout.write(
                    f"Branches created: {installed.branches}; enter each one's address and phone under 채용 › 지점"
                )
            self.stdout.write(f"Pages created: {installed.pages}")
            if installed.site_settings:
                self.stdout.write("Site settings created")
            if installed.site_root:
                self.stdout.write("The default site serves the home page")
            if site_moved:
                self.stdout.write("Default site address: {}:{}".format(*site_address()))
            if reworded:
                self.stdout.write(f"Default curriculum texts reworded: {reworded}")
