"""Roles (DESIGN §6) as Django groups, and what each may do: staff in the Wagtail admin, a consultant in her
workspace.

Apps import the role names from here; `manage.py setup` installs the groups.
"""

from django.contrib.auth.models import Group, Permission
from django.db import models
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page


class Role(models.TextChoices):
    EDITOR = "편집자"
    RECRUITER = "채용 담당자"
    BRANCH_MANAGER = "지점장"
    TRAINER = "강사"
    HR = "인사 담당자"
    CONSULTANT = "컨설턴트"


# The consultant works in her own workspace (/my/, assignments.workspace), never in the
# Wagtail admin: her role holds no admin access, so every admin page sends her to its login.
ADMIN_ROLES = [Role.EDITOR, Role.RECRUITER, Role.BRANCH_MANAGER, Role.TRAINER, Role.HR]


PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
COLLECTION_PERMISSIONS = {
    "wagtailimages": ["add_image", "change_image", "choose_image", "delete_image"],
    "wagtaildocs": ["add_document", "change_document", "choose_document", "delete_document"],
}

# HR uploads the certificate seal into a collection of its own and may choose only from
# it; the certificate settings refuse a seal from anywhere else (CertificateSettings.clean).
SEAL_COLLECTION_NAME = "수료증 직인"
SEAL_COLLECTION_PERMISSIONS = ["add_image", "change_image", "choose_image"]

# Seeing applicants, moving them through the pipeline and exporting lists. Recruiters and
# branch managers hold them for their own branch (StaffProfile); HR for every branch.
PIPELINE_PERMISSIONS = [
    "assignments.view_poolmember",
    "recruiting.view_applicant",
    "recruiting.change_applicant",
    "recruiting.export_applicant",
    "recruiting.view_slot",
    "recruiting.add_slot",
    "recruiting.change_slot",
    "recruiting.delete_slot",
]

# Planning, approving, applying and undoing assignment runs: HR for every branch, a branch
# manager for her own (assignments.services.runs checks the branch).
RUN_PERMISSIONS = [
    "assignments.view_assignmentrun",
    "assignments.plan_assignmentrun",
    "assignments.approve_assignmentrun",
]

# Taking the working consultants' morning meeting at their branch, on the trainers' sheet: a
# trainer at the branches where she trains now, a branch manager at hers, HR at every branch
# (assignments.admin_views.meetings checks the branch).
MEETING_PERMISSION = "assignments.take_consultantattendance"

# Model permissions ("app_label.codename") of each role; the roles of ADMIN_ROLES also enter the admin.
MODEL_PERMISSIONS: dict[str, list[str]] = {
    Role.EDITOR: [
        "cms.change_sitesettings",
        "recruiting.add_consentnotice",
        "recruiting.change_consentnotice",
        "recruiting.change_branch",
        "recruiting.change_district",
    ],
    Role.RECRUITER: [*PIPELINE_PERMISSIONS],
    Role.BRANCH_MANAGER: [
        *PIPELINE_PERMISSIONS,
        "curriculum.view_cohort",
        "assignments.move_poolmember",
        "assignments.view_customer",
        *RUN_PERMISSIONS,
        MEETING_PERMISSION,
    ],
    Role.TRAINER: ["curriculum.view_cohort", "curriculum.mark_cohort", MEETING_PERMISSION],
    Role.HR: [
        *PIPELINE_PERMISSIONS,
        "recruiting.view_all_branches",
        "recruiting.view_accessrecord",
        "recruiting.add_staffprofile",
        "recruiting.change_staffprofile",
        "recruiting.add_branch",
        "recruiting.change_branch",
        "recruiting.change_district",
        "recruiting.add_recruitmentround",
        "recruiting.change_recruitmentround",
        "curriculum.view_cohort",
        "curriculum.add_cohort",
        "curriculum.change_cohort",
        "curriculum.view_curriculum",
        "curriculum.add_curriculum",
        "curriculum.change_curriculum",
        "curriculum.issue_certificate",
        "assignments.change_poolmember",
        "assignments.move_poolmember",
        "assignments.view_customer",
        "assignments.import_customers",
        *RUN_PERMISSIONS,
        "assignments.change_assignmentsettings",
        MEETING_PERMISSION,
        "curriculum.change_certificatesettings",
        # Sign-in locks: seeing them, and lifting one (which deletes its failed attempts).
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
    ],
    # Her own customers and contacts only: the workspace's views scope every row to her.
    Role.CONSULTANT: ["assignments.use_workspace"],
}


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


# Wagtail's installation creates these; our roles replace them.
WAGTAIL_DEFAULT_GROUPS = ["Editors", "Moderators"]


def install_role_groups() -> list[Group]:
    """Create the role groups and grant their permissions; running it again changes nothing."""
    Group.objects.filter(name__in=WAGTAIL_DEFAULT_GROUPS, user=None).delete()
    groups = []
    access_admin = _permission("wagtailadmin.access_admin")
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        group.permissions.add(*[_permission(p) for p in MODEL_PERMISSIONS[role]])
        if role in ADMIN_ROLES:
            group.permissions.add(access_admin)
        groups.append(group)

    editor = Group.objects.get(name=Role.EDITOR)
    root_page = Page.get_first_root_node()
    for codename in PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=editor, page=root_page, permission=_permission(f"wagtailcore.{codename}")
        )
    root_collection = Collection.get_first_root_node()
    for app_label, codenames in COLLECTION_PERMISSIONS.items():
        for codename in codenames:
            GroupCollectionPermission.objects.get_or_create(
                group=editor, collection=root_collection, permission=_permission(f"{app_label}.{codename}")
            )
    hr = Group.objects.get(name=Role.HR)
    seal_collection = seal_collection_get() or root_collection.add_child(name=SEAL_COLLECTION_NAME)
    for codename in SEAL_COLLECTION_PERMISSIONS:
        GroupCollectionPermission.objects.get_or_create(
            group=hr, collection=seal_collection, permission=_permission(f"wagtailimages.{codename}")
        )
    return groups


def seal_collection_get() -> Collection | None:
    """Return the collection the certificate seal is chosen from, or None before `manage.py setup`."""
    root_collection = Collection.get_first_root_node()
    if root_collection is None:
        return None
    return root_collection.get_children().filter(name=SEAL_COLLECTION_NAME).first()
