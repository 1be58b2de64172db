"""The site's full URLs (sitemap, emails) use the address it is served from, SITE_URL."""

import pytest
from django.core.management import call_command
from wagtail.models import Site

pytestmark = pytest.mark.django_db


def test_setup_puts_the_default_site_at_site_url(site, settings):
    settings.SITE_URL = "http://192.168.0.10:8001"
    call_command("setup", verbosity=0)
    default = Site.objects.get(is_default_site=True)
    assert (default.hostname, default.port) == ("192.168.0.10", 8001)


def test_the_sitemap_lists_pages_at_the_served_address(client, site, settings):
    settings.SITE_URL = "http://192.168.0.10:8001"
    call_command("setup", verbosity=0)
    xml = client.get("/sitemap.xml").content.decode()
    assert "<loc>http://192.168.0.10:8001/</loc>" in xml
    assert "<loc>http://192.168.0.10:8001/faq/</loc>" in xml
    assert "localhost" not in xml


def test_an_https_address_gives_https_links(client, site, settings):
    settings.SITE_URL = "https://jobs.example.com"
    call_command("setup", verbosity=0)
    call_command("setup", verbosity=0)
    xml = client.get("/sitemap.xml").content.decode()
    assert "<loc>https://jobs.example.com/faq/</loc>" in xml
