"""Anonymous page views come from the shared page cache, which publishing clears."""

from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.test import TestCase
from wagtail.models import PageViewRestriction

from cms.models import SiteSettings
from cms.tests.sitetree import build_site
from recruiting.models import Branch

CACHE_HEADER = "X-Wagtail-Cache"


class PageCacheTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.pages = build_site()

    def setUp(self):
        caches["pages"].clear()

    def test_a_second_anonymous_view_is_served_from_the_cache(self):
        first = self.client.get("/")
        second = self.client.get("/")
        self.assertEqual(first[CACHE_HEADER], "miss")
        self.assertEqual(second[CACHE_HEADER], "hit")
        self.assertEqual(first.content, second.content)

    def test_publishing_a_change_clears_the_cache(self):
        self.client.get("/")
        home = self.pages["home"].specific
        home.hero_title = "새 헤드라인"
        home.save_revision().publish()
        response = self.client.get("/")
        self.assertEqual(response[CACHE_HEADER], "miss")
        self.assertContains(response, "새 헤드라인")

    def test_editing_a_branch_or_the_site_settings_clears_the_cache(self):
        self.client.get("/")
        Branch.objects.filter(slug="branch-0").get().save()
        self.assertEqual(self.client.get("/")[CACHE_HEADER], "miss")
        settings = SiteSettings.objects.get()
        settings.contact_phone = "02-0000-0000"
        settings.save()
        self.assertContains(self.client.get("/"), "02-0000-0000")

    def test_unpublishing_a_page_removes_it_from_the_cache(self):
        story = self.pages["story"]
        self.assertEqual(self.client.get(story.url).status_code, 200)
        story.unpublish()
        self.assertEqual(self.client.get(story.url).status_code, 404)

    def test_logged_in_users_are_never_served_from_the_cache(self):
        user = get_user_model().objects.create_user("editor", password="x")
        self.client.get("/")
        self.client.force_login(user)
        self.assertEqual(self.client.get("/")[CACHE_HEADER], "skip")

    def test_a_visitor_opens_a_password_protected_page_with_its_password(self):
        # The cached serve route must leave Wagtail's /_util/ views reachable: the
        # password form of a private page posts to one of them.
        story = self.pages["story"]
        PageViewRestriction.objects.create(
            page=story, restriction_type=PageViewRestriction.PASSWORD, password="branch-only"
        )
        form = self.client.get(story.url)
        self.assertContains(form, 'name="password"')
        action = form.context["action_url"]
        self.assertContains(self.client.post(action, {"password": "wrong", "return_url": story.url}), "password")
        opened = self.client.post(action, {"password": "branch-only", "return_url": story.url}, follow=True)
        self.assertEqual(opened.redirect_chain[-1][0], story.url)
        self.assertContains(opened, story.title)
