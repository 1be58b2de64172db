"""Wagtail's own reports and search show staff only what our screens would show them.

The pool member is 김하나 of the 강서 branch; rita recruits for another branch, alice for 강서,
where mina is the branch manager; tom is a trainer; hana is HR.
"""

import pytest
from wagtail.log_actions import log

from assignments.tests.conftest import member, mina  # noqa: F401 - shared fixtures
from core.roles import Role
from curriculum.tests.conftest import cohort, curriculum, tom  # noqa: F401 - shared fixtures
from recruiting.models import Branch
from recruiting.tests.factories import make_staff

# Every test here uses the site: it is built once for the module (conftest.py, module_site).
pytestmark = pytest.mark.usefixtures("module_site")

SITE_HISTORY = "/admin/reports/site-history/"


def _denied(response) -> bool:
    """Return whether the admin refused: Wagtail sends the user back to the dashboard with a message."""
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/admin/")


@pytest.fixture
def rita(roles, site):
    """Rita recruits for a branch other than 강서."""
    return make_staff("rita", Role.RECRUITER, Branch.objects.get(slug="branch-1"))


@pytest.fixture
def logged_member(member, hana):  # noqa: F811 - the fixture imported above
    """The member, with the entry Wagtail writes when HR edits her in the admin."""
    log(instance=member, action="wagtail.edit", user=hana)
    return member


def test_it_lists_the_member_for_hr(client, logged_member, hana):
    client.force_login(hana)
    assert "김하나" in client.get(SITE_HISTORY).content.decode()
    assert "김하나" in client.get(SITE_HISTORY, {"export": "csv"}).getvalue().decode()


@pytest.mark.parametrize("who", ["rita", "alice", "mina", "tom"])
def test_it_refuses_the_site_history_and_its_exports_to_scoped_staff(client, logged_member, who, request):
    client.force_login(request.getfixturevalue(who))
    for query in ({}, {"export": "csv"}, {"export": "xlsx"}):
        for url in (SITE_HISTORY, SITE_HISTORY + "results/"):
            response = client.get(url, query)
            assert _denied(response), (url, query)
            assert "김하나".encode() not in response.content


def test_it_keeps_the_site_history_out_of_a_scoped_menu(client, logged_member, rita):
    client.force_login(rita)
    assert SITE_HISTORY not in client.get("/admin/").content.decode()


def test_the_admin_search_does_not_find_the_member_for_another_branch(client, logged_member, rita):
    client.force_login(rita)
    for url in ("/admin/pages/search/", "/admin/pages/search/results/"):
        response = client.get(url, {"q": "김하나"})
        assert _denied(response), url
        assert "김하나".encode() not in response.content
