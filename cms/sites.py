"""Keep Wagtail's default Site at the address the product is served from (settings.SITE_URL).

Wagtail builds full page URLs (the sitemap, "view live" links) from its Site record;
emails and the .ics use SITE_URL. One source keeps them from disagreeing.
"""

from urllib.parse import urlsplit

from django.conf import settings
from wagtail.models import Site


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
