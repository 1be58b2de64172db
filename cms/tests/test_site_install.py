"""`manage.py setup` installs the real site on a new installation, once, and then leaves it to the editors."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone, translation
from wagtail.models import Page, Revision, Site

from cms import site_content
from cms.models import (
    ApplyPage,
    BranchPage,
    ContentPage,
    FaqPage,
    HomePage,
    SiteSettings,
    StoryIndexPage,
    StoryPage,
    TrainingPage,
)
from recruiting.models import Applicant, Branch, District, RecruitmentRound

pytestmark = pytest.mark.django_db

WELCOME = "Welcome to your new Wagtail site"


@pytest.fixture
def installed(settings):
    """An installation fresh from `migrate` (Wagtail's welcome page and its Site), after `setup`."""
    settings.SITE_URL = "https://recruit.example.com"
    settings.ALLOWED_HOSTS = ["recruit.example.com"]
    assert Page.objects.filter(title__startswith=WELCOME).exists()
    call_command("setup", verbosity=0)
    return HomePage.objects.get()


def _snapshot() -> dict[str, object]:
    return {
        "pages": list(Page.objects.order_by("path").values_list("path", "slug", "title", "live", "show_in_menus")),
        "revisions": Revision.objects.count(),
        "sites": list(Site.objects.values_list("hostname", "port", "root_page_id", "is_default_site")),
        "settings": list(SiteSettings.objects.values()),
        "branches": list(Branch.objects.values()),
        "served_districts": list(District.objects.exclude(branch=None).values_list("pk", "branch_id")),
    }


def test_it_installs_the_korean_page_tree_as_the_default_site(installed):
    site = Site.objects.get()
    assert site.is_default_site
    assert site.root_page.specific == installed
    assert (site.hostname, site.port) == ("recruit.example.com", 443)
    assert not Page.objects.filter(title__startswith=WELCOME).exists()
    assert installed.hero_title == site_content.HOME["hero_title"]
    for model, data in [
        (ApplyPage, site_content.APPLY),
        (TrainingPage, site_content.TRAINING),
        (FaqPage, site_content.FAQ),
        (ContentPage, site_content.PRIVACY),
    ]:
        page = model.objects.child_of(installed).live().get()
        assert (page.title, page.slug) == (data["title"], data["slug"])
    assert installed.cta_page.specific == ApplyPage.objects.get()
    assert not installed.has_unpublished_changes


def test_it_installs_the_six_branches_with_their_districts_and_pages(installed):
    branches = list(Branch.objects.all())
    assert [branch.name for branch in branches] == ["강북", "광화문", "강남", "테헤란", "강서", "신도림"]
    assert all(branch.phone == site_content.ENQUIRY_PHONE for branch in branches)
    # The article gives no addresses: HR enters them, nothing invented is published.
    assert all(branch.address == "" for branch in branches)
    assert not District.objects.filter(branch=None).exists()
    assert District.objects.get(name="강서구").branch.name == "강서"
    assert list(BranchPage.objects.live().order_by("path").values_list("title", flat=True)) == [
        "강북CS지점",
        "광화문CS지점",
        "강남CS지점",
        "테헤란CS지점",
        "강서CS지점",
        "신도림CS지점",
    ]


def test_the_branch_is_spelled_the_same_on_its_page_and_everywhere_else(installed):
    branch = Branch.objects.get(slug="gangseo")
    with translation.override("ko"):
        assert str(branch) == branch.page.title == site_content.branch_title(branch.name) == "강서CS지점"


def test_it_installs_no_demo_people_and_no_invented_stories(installed):
    assert not get_user_model().objects.exists()
    assert not Applicant.objects.exists()
    assert not RecruitmentRound.objects.exists()
    assert not StoryPage.objects.exists()
    # The story index waits out of the menu for the editors' first story.
    assert not StoryIndexPage.objects.get().show_in_menus


def test_the_site_settings_hold_the_one_enquiry_number_and_the_apply_page(installed):
    site_settings = SiteSettings.objects.get()
    assert site_settings.contact_phone == "02-2187-2663"
    assert site_settings.apply_page.specific == ApplyPage.objects.get()


def test_the_footer_and_the_form_link_to_the_privacy_policy(client, installed):
    today = timezone.localdate()
    RecruitmentRound.objects.create(
        title="2027년 1월 입과",
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=20),
        cohort_starts_on=today + timedelta(days=60),
        capacity=30,
    )
    privacy = SiteSettings.objects.get().privacy_page
    assert privacy.slug == site_content.PRIVACY["slug"]
    link = f'href="{privacy.url}"'
    assert link in client.get("/", HTTP_HOST="recruit.example.com").content.decode()
    apply_html = client.get("/apply/", HTTP_HOST="recruit.example.com").content.decode()
    # Once in the footer, once beside the consent notices.
    assert apply_html.count(link) == 2
    assert "개인정보 처리에 관한 자세한 안내" in apply_html


def test_the_site_answers_in_korean_at_its_address(client, installed):
    home = client.get("/", HTTP_HOST="recruit.example.com")
    assert home.status_code == 200
    html = home.content.decode()
    assert site_content.HOME["hero_title"] in html
    assert WELCOME not in html
    assert 'href="/apply/"' in html
    assert client.get("/apply/", HTTP_HOST="recruit.example.com").status_code == 200
    sitemap = client.get("/sitemap.xml", HTTP_HOST="recruit.example.com").content.decode()
    assert "<loc>https://recruit.example.com/</loc>" in sitemap
    assert "<loc>https://recruit.example.com/branches/gangseo/</loc>" in sitemap


def test_running_it_twice_changes_nothing(installed):
    once = _snapshot()
    call_command("setup", verbosity=0)
    assert _snapshot() == once


def test_it_leaves_what_editors_and_hr_changed(installed):
    installed.hero_title = "편집자가 바꾼 헤드라인"
    installed.save_revision().publish()
    faq = FaqPage.objects.get()
    faq.slug = "questions"
    faq.save_revision().publish()
    TrainingPage.objects.get().delete()
    branch = Branch.objects.get(slug="gangseo")
    branch.address = "서울특별시 강서구 어딘가 1"
    branch.save()
    Branch.objects.get(slug="sindorim").page.delete()
    site_settings = SiteSettings.objects.get()
    site_settings.contact_phone = "031-555-0199"
    site_settings.save()
    before = _snapshot()

    call_command("setup", verbosity=0)

    assert _snapshot() == before
    assert HomePage.objects.get().hero_title == "편집자가 바꾼 헤드라인"
    # Neither a deleted page comes back nor a renamed one gets a twin.
    assert not TrainingPage.objects.exists()
    assert list(FaqPage.objects.values_list("slug", flat=True)) == ["questions"]
    assert not BranchPage.objects.filter(branch__slug="sindorim").exists()


def test_it_leaves_an_installed_site_without_branches_alone_and_installs_the_branches(site):
    """A site whose editors built the pages before branches existed gets the branches, and no page."""
    BranchPage.objects.all().delete()
    Branch.objects.all().delete()
    pages = Page.objects.count()

    call_command("setup", verbosity=0)

    assert Branch.objects.count() == 6
    assert Page.objects.count() == pages


def test_the_demo_adds_its_stories_and_addresses_to_the_real_site(settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    assert StoryPage.objects.live().count() == 4
    assert StoryIndexPage.objects.get().show_in_menus
    assert not Branch.objects.filter(address="").exists()
    assert HomePage.objects.get().hero_title == site_content.HOME["hero_title"]
