import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from wagtail.models import Page, Site

from assignments.models import Contact
from cms.demo.loader import DEMO_PASSWORD, demo_consultant
from cms.models import BranchPage, HomePage, SiteSettings, StoryPage
from core.roles import Role
from recruiting.models import Branch, District

pytestmark = pytest.mark.django_db


def _snapshot() -> dict[str, object]:
    return {
        "pages": Page.objects.count(),
        "live_pages": Page.objects.live().count(),
        "sites": Site.objects.count(),
        "settings": SiteSettings.objects.count(),
        "branches": Branch.objects.count(),
        "served_districts": District.objects.exclude(branch=None).count(),
        "users": get_user_model().objects.count(),
        "groups": Group.objects.count(),
        "revisions": sum(page.revisions.count() for page in Page.objects.all()),
    }


def test_it_seeds_the_whole_demo(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    assert Branch.objects.count() == 6
    assert list(Branch.objects.values_list("name", flat=True)) == ["강북", "광화문", "강남", "테헤란", "강서", "신도림"]
    assert District.objects.count() == 56
    assert District.objects.filter(branch=None).count() == 0
    assert BranchPage.objects.live().count() == 6
    assert StoryPage.objects.live().count() >= 4
    assert Site.objects.get(is_default_site=True).root_page.specific_class is HomePage
    assert {g.name for g in Group.objects.all()} == set(Role.values)
    for username in ("editor", "recruiter", "manager", "trainer", "hr"):
        assert get_user_model().objects.get(username=username).groups.count() == 1


def test_running_it_twice_is_the_same_as_once(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    once = _snapshot()
    call_command("seed_demo")
    assert _snapshot() == once
    assert "csrc-demo-2026" in capsys.readouterr().out


def test_it_keeps_what_an_editor_changed(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    home = HomePage.objects.get()
    home.hero_title = "편집자가 바꾼 헤드라인"
    home.save_revision().publish()
    call_command("seed_demo")
    assert HomePage.objects.get().hero_title == "편집자가 바꾼 헤드라인"


def test_it_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert get_user_model().objects.count() == 0
    assert Branch.objects.count() == 0


def test_it_prints_a_consultant_login_whose_customers_and_morning_are_ready(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")

    consultant = demo_consultant()
    output = capsys.readouterr().out
    assert f"{consultant.user.username:<10} / {DEMO_PASSWORD}   (컨설턴트: {settings.SITE_URL}/my/)" in output
    assert consultant.user.check_password(DEMO_PASSWORD)
    assert consultant.customers.in_book().count() >= 20
    assert Contact.objects.filter(consultant=consultant).count() == 2, "her morning is recorded once"
