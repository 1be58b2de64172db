"""What each staff role may open in the admin; one row per URL, one column per role."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from wagtail.models import Site

from cms.roles import Role
from cms.tests.sitetree import build_site

ROLES = [Role.EDITOR, Role.RECRUITER, Role.BRANCH_MANAGER, Role.TRAINER, Role.HR]
OK, DENIED = 200, "denied"

# url name -> the roles that may open it; every other role is denied.
ACCESS = {
    "dashboard": set(ROLES),
    "edit home page": {Role.EDITOR},
    "add a story": {Role.EDITOR},
    "site settings": {Role.EDITOR},
    "branch list": {Role.EDITOR, Role.HR},
    "edit a branch": {Role.EDITOR, Role.HR},
    "district list": {Role.EDITOR, Role.HR},
    "images": {Role.EDITOR},
}


def _urls(pages) -> dict[str, str]:
    site = Site.objects.get(is_default_site=True)
    branch = pages["branch"].branch
    return {
        "dashboard": "/admin/",
        "edit home page": f"/admin/pages/{pages['home'].pk}/edit/",
        "add a story": f"/admin/pages/add/cms/storypage/{pages['story_index'].pk}/",
        "site settings": f"/admin/settings/cms/sitesettings/{site.pk}/",
        "branch list": "/admin/branches/",
        "edit a branch": f"/admin/branches/edit/{branch.pk}/",
        "district list": "/admin/districts/",
        "images": "/admin/images/",
    }


@pytest.fixture
def pages(db):
    call_command("setup", verbosity=0)
    return build_site()


def _user_with(role: Role):
    user = get_user_model().objects.create_user(username=f"user-{role.name.lower()}", password="x")
    user.groups.add(Group.objects.get(name=role))
    return user


def test_every_url_has_a_row(pages):
    assert set(_urls(pages)) == set(ACCESS)


@pytest.mark.parametrize("role", ROLES, ids=[r.name for r in ROLES])
def test_each_role_opens_only_what_it_may(client, pages, role):
    client.force_login(_user_with(role))
    for name, url in _urls(pages).items():
        response = client.get(url)
        if role in ACCESS[name]:
            assert response.status_code == OK, f"{role.name} should open {name}"
        else:
            assert response.status_code in (302, 403), f"{role.name} should not open {name}"
            if response.status_code == 302:
                assert response["Location"] == "/admin/", f"{role.name} / {name}"


def test_anonymous_visitors_are_sent_to_log_in(client, pages):
    for name, url in _urls(pages).items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith("/admin/login/"), name
