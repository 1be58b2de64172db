"""Install the real site on a new installation: the branches, the Korean page tree and the site settings.

`manage.py setup` runs it after every `migrate`, and the demo builds on it. Each part is
installed once, on an installation that has none of it: branches when there is no
branch, the page tree when there is no home page, the settings when the site has none.
From then on they are the editors' and HR's: setup never changes them, and never brings
back a page someone deleted or adds a twin of a page someone moved or renamed.
"""

from dataclasses import dataclass

from django.db import transaction
from wagtail.models import Page, Site

from cms import site_content as content
from cms.models import (
    ApplyPage,
    BranchIndexPage,
    BranchPage,
    ContentPage,
    FaqPage,
    HomePage,
    SiteSettings,
    StoryIndexPage,
    TrainingPage,
)
from cms.sites import default_site_serve, welcome_page_remove
from recruiting.models import Branch, District

HOME_SLUG = "home"


@dataclass(frozen=True)
class SiteInstalled:
    """What `site_install` created; all zero and False on an installed site."""

    branches: int
    pages: int
    site_settings: bool
    site_root: bool


def site_install() -> SiteInstalled:
    """Create what a new installation lacks of the real site; return what was created."""
    with transaction.atomic():
        branches = branches_install()
        home, pages = page_tree_install()
        site_root = default_site_serve(home)
        site_settings = site_settings_install(home)
    return SiteInstalled(branches=branches, pages=pages, site_settings=site_settings, site_root=site_root)


def branches_install() -> int:
    """Create the six branches and give them their districts, unless any branch exists; return how many."""
    if Branch.objects.exists():
        return 0
    for order, data in enumerate(content.BRANCHES):
        branch = Branch.objects.create(
            name=data["name"], slug=data["slug"], phone=content.ENQUIRY_PHONE, sort_order=order
        )
        for province, names in data["districts"].items():
            District.objects.filter(province=province, name__in=names, branch=None).update(branch=branch)
    return len(content.BRANCHES)


def page_tree_install() -> tuple[HomePage, int]:
    """Install the whole page tree unless a home page exists; return the home page and how many pages were created."""
    home = HomePage.objects.first()
    if home is not None:
        return home, 0
    welcome_page_remove()
    home = Page.get_first_root_node().add_child(
        instance=HomePage(
            title=content.HOME["title"],
            slug=HOME_SLUG,
            hero_title=content.HOME["hero_title"],
            intro=content.HOME["intro"],
            cta_label=content.HOME["cta_label"],
            body=content.HOME["body"],
        )
    )
    apply_page = _publish(home, ApplyPage, content.APPLY, show_in_menus=False)
    # The main button of the home page leads to the form.
    home.cta_page = apply_page
    home.save_revision().publish()

    branch_index = _publish(home, BranchIndexPage, content.BRANCH_INDEX, show_in_menus=True)
    intros = {data["slug"]: data["intro"] for data in content.BRANCHES}
    for branch in Branch.objects.filter(page=None):
        _publish(
            branch_index,
            BranchPage,
            {"title": content.branch_title(branch.name), "slug": branch.slug, "intro": intros.get(branch.slug, "")},
            show_in_menus=False,
            branch=branch,
        )
    _publish(home, StoryIndexPage, content.STORY_INDEX, show_in_menus=False)
    _publish(home, TrainingPage, content.TRAINING, show_in_menus=True)
    _publish(home, FaqPage, content.FAQ, show_in_menus=True)
    _publish(home, ContentPage, content.PRIVACY, show_in_menus=False)
    return home, home.get_descendants(inclusive=True).count()


def site_settings_install(home: HomePage) -> bool:
    """Give the default site its settings unless it has some; return whether they were created.

    Settings that exist keep what editors chose, except an empty apply or privacy page,
    which is filled in with the one under `home`: every page links to them.
    """
    site = Site.objects.get(is_default_site=True)
    apply_page = ApplyPage.objects.child_of(home).first()
    privacy_page = ContentPage.objects.child_of(home).filter(slug=content.PRIVACY["slug"]).first()
    site_settings, created = SiteSettings.objects.get_or_create(
        site=site, defaults={**content.SITE_SETTINGS, "apply_page": apply_page, "privacy_page": privacy_page}
    )
    missing = {"apply_page": apply_page, "privacy_page": privacy_page}
    filled = [name for name, page in missing.items() if getattr(site_settings, f"{name}_id") is None and page]
    for name in filled:
        setattr(site_settings, name, missing[name])
    if filled:
        site_settings.save(update_fields=filled)
    return created


def _publish(parent: Page, model: type[Page], data: dict, *, show_in_menus: bool, **fields) -> Page:
    values = {key: value for key, value in data.items() if key in {"title", "slug", "intro", "body"}}
    page = parent.add_child(instance=model(show_in_menus=show_in_menus, **values, **fields))
    page.save_revision().publish()
    return page
