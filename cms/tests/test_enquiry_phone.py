"""The enquiry phone number has one source, the site settings: every page that shows it follows a change."""

from pathlib import Path

import pytest
from django.conf import settings

from cms.demo.loader import DemoLoader
from cms.models import ContentPage, FaqPage, HomePage, SiteSettings, TrainingPage

pytestmark = pytest.mark.django_db

OLD_NUMBER = "2187-2663"


def _without_branch_cards(html: str) -> str:
    """Drop the branch list: each branch's own phone is branch data (installed with the old number)."""
    start = html.find('<ul class="branch-grid">')
    return html if start < 0 else html[:start] + html[html.index("</ul>", start) :]


@pytest.fixture
def demo_site():
    DemoLoader().seed_public_site()
    site_settings = SiteSettings.objects.get()
    site_settings.contact_phone = "031-555-0199"
    site_settings.save()
    return site_settings


def test_it_shows_the_changed_number_wherever_the_demo_shows_a_number(client, demo_site):
    for page in (HomePage.objects.get(), FaqPage.objects.get(), TrainingPage.objects.get(), ContentPage.objects.get()):
        html = _without_branch_cards(client.get(page.url).content.decode())
        assert "031-555-0199" in html, page.title
        assert 'href="tel:0315550199"' in html, page.title
        assert OLD_NUMBER not in html, page.title
    assert OLD_NUMBER not in demo_site.footer_text


def test_the_home_call_to_action_and_the_faq_read_the_setting(client, demo_site):
    home = client.get(HomePage.objects.get().url).content.decode()
    main, footer = home.split('<footer class="site-footer"')
    # The hero and the call to action at the end of the home page, not only the footer.
    assert main.count("031-555-0199") >= 2
    assert "031-555-0199" in footer
    faq_main = client.get(FaqPage.objects.get().url).content.decode().split('<footer class="site-footer"')[0]
    assert "031-555-0199" in faq_main


def test_a_phone_number_never_breaks_across_lines(client, site):
    html = client.get(site["home"].url).content.decode()
    assert 'class="site-footer__phone tel-link"' in html
    assert 'class="button button--ghost tel-link"' in html
    css = Path(settings.BASE_DIR, "static", "css", "site.css").read_text()
    rule = css[css.index(".tel-link") :]
    assert "white-space: nowrap" in rule[: rule.index("}")]
