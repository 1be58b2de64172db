"""Keep Wagtail's default Site at the address the product is served from (settings.SITE_URL).

Wagtail builds full page URLs (the sitemap, "view live" links) from its Site record;
emails and the .ics use SITE_URL. One source keeps them from disagreeing.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from wagtail.models import Page, Site

# The page Wagtail's own migration installs as the first site's root.
WAGTAIL_WELCOME_SLUG = "home"


def site_address() -> tuple[str, int]:
    """Return the hostname and port of SITE_URL, the port defaulting to its scheme's."""
    parts = urlsplit(settings.SITE_URL)
    return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)


def default_site_follow_site_url() -> bool:
    """Set the default Site's hostname and port from SITE_URL; return whether they changed."""
    hostname, port = site_address()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None or (site.hostname, site.port) == (hostname, port):
        return False
    site.hostname, site.port = hostname, port
    site.save(update_fields=["hostname", "port"])
    return True


def welcome_page_remove() -> bool:
    """Delete the "Welcome to your new Wagtail site!" page Wagtail installs; return whether it was there.

    The page is a plain wagtailcore Page without children, which no editor can create.
    Its Site is kept, pointing at the tree's root until `default_site_serve` gives it
    the home page (in the caller's transaction), so settings saved for it stay.
    """
    root = Page.get_first_root_node()
    welcome = (
        root.get_children()
        .filter(content_type=ContentType.objects.get_for_model(Page), slug=WAGTAIL_WELCOME_SLUG, numchild=0)
        .first()
    )
    if welcome is None:
        return False
    for site in Site.objects.filter(root_page=welcome):
        site.root_page = root
        site.save(update_fields=["root_page"])
    welcome.delete()
    return True


def default_site_serve(home: Page) -> bool:
    """Let `home` be served by the default Site (created at SITE_URL if there is none); return whether it changed.

    Every Site serving the tree's root or a plain Wagtail page (the welcome page) is
    given `home`; a Site serving a page of ours stays as someone chose.
    """
    plain = ContentType.objects.get_for_model(Page)
    changed = False
    for site in Site.objects.filter(Q(root_page__depth=1) | Q(root_page__content_type=plain)):
        site.root_page = home
        site.save(update_fields=["root_page"])
        changed = True
    if not Site.objects.filter(is_default_site=True).exists():
        hostname, port = site_address()
        Site.objects.create(hostname=hostname, port=port, root_page=home, is_default_site=True)
        changed = True
    return changed
