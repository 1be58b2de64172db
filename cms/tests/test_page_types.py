from django.test import RequestFactory, override_settings
from django.views.defaults import server_error
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from cms.models import (
    ApplyPage,
    BranchIndexPage,
    BranchPage,
    ContentPage,
    FaqPage,
    HomePage,
    StoryIndexPage,
    StoryPage,
    TrainingPage,
)
from cms.tests.sitetree import build_site, make_branch


class PageTreeRulesTests(WagtailPageTestCase):
    def test_it_allows_each_page_type_only_where_it_belongs(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertAllowedSubpageTypes(
            HomePage, {ApplyPage, BranchIndexPage, StoryIndexPage, TrainingPage, FaqPage, ContentPage}
        )
        self.assertAllowedParentPageTypes(ApplyPage, {HomePage})
        self.assertAllowedSubpageTypes(BranchIndexPage, {BranchPage})
        self.assertAllowedSubpageTypes(StoryIndexPage, {StoryPage})
        self.assertAllowedSubpageTypes(ContentPage, {ContentPage})
        for leaf in (ApplyPage, BranchPage, StoryPage, TrainingPage, FaqPage):
            self.assertAllowedSubpageTypes(leaf, set())
        self.assertAllowedParentPageTypes(BranchPage, {BranchIndexPage})
        self.assertAllowedParentPageTypes(StoryPage, {StoryIndexPage})
        self.assertAllowedParentPageTypes(ContentPage, {HomePage, ContentPage})

    def test_it_refuses_stories_and_branches_directly_under_home(self):
        self.assertCanNotCreateAt(HomePage, StoryPage)
        self.assertCanNotCreateAt(HomePage, BranchPage)
        self.assertCanNotCreateAt(StoryIndexPage, BranchPage)


class EmptyHomeTests(WagtailPageTestCase):
    """An editor builds the site's sections under a bare home page."""

    @classmethod
    def setUpTestData(cls):
        root = Page.get_first_root_node()
        cls.home = root.add_child(instance=HomePage(title="홈", slug="new-home", hero_title="헤드라인"))
        cls.user = cls.create_superuser("admin")

    def setUp(self):
        self.client.force_login(self.user)

    def test_an_editor_can_create_each_section_once(self):
        sections = [
            (
                ApplyPage,
                {
                    "title": "지원하기",
                    "slug": "apply",
                    "body": streamfield([]),
                    "closed_text": "마감",
                    "done_text": "접수",
                },
            ),
            (BranchIndexPage, {"title": "지점 안내", "slug": "branches"}),
            (StoryIndexPage, {"title": "이야기", "slug": "stories"}),
            (TrainingPage, {"title": "교육 과정", "slug": "training", "body": streamfield([])}),
            (FaqPage, {"title": "자주 묻는 질문", "slug": "faq", "body": streamfield([])}),
        ]
        for model, data in sections:
            with self.subTest(model=model.__name__):
                self.assertCanCreate(self.home, model, nested_form_data(data))
                self.assertFalse(model.can_create_at(self.home))

    def test_a_second_home_page_cannot_be_created(self):
        self.assertFalse(HomePage.can_create_at(Page.get_first_root_node()))


class PublicPagesTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.pages = build_site()
        cls.user = cls.create_superuser("admin")

    def setUp(self):
        self.client.force_login(self.user)

    def test_every_page_type_is_routable_and_renders(self):
        for name, page in self.pages.items():
            with self.subTest(page=name):
                self.assertPageIsRoutable(page)
                self.assertPageIsRenderable(page)

    def test_singletons_cannot_be_added_twice(self):
        home = self.pages["home"]
        for model in (BranchIndexPage, StoryIndexPage, TrainingPage, FaqPage):
            with self.subTest(model=model.__name__):
                self.assertFalse(model.can_create_at(home))
        self.assertTrue(ContentPage.can_create_at(home))

    def test_an_editor_can_create_a_story(self):
        self.assertCanCreate(
            self.pages["story_index"],
            StoryPage,
            nested_form_data(
                {
                    "title": "새 이야기",
                    "slug": "new-story",
                    "intro": "소개",
                    "person_name": "이서연",
                    "role": "2년 차 CS RC",
                    "branch": self.pages["branch"].branch.pk,
                    "body": streamfield(
                        [("question_answer", {"question": "왜 지원했나요?", "answer": rich_text("<p>유연한 시간</p>")})]
                    ),
                }
            ),
        )

    def test_an_editor_can_create_a_branch_page_for_a_branch_without_one(self):
        branch = make_branch("신도림", "sindorim")
        self.assertCanCreate(
            self.pages["branch_index"],
            BranchPage,
            nested_form_data(
                {"title": "신도림CS지점", "slug": "sindorim", "branch": branch.pk, "body": streamfield([])}
            ),
        )

    def test_an_editor_can_create_a_content_page_and_a_faq_entry(self):
        self.assertCanCreate(
            self.pages["home"],
            ContentPage,
            nested_form_data(
                {"title": "공지", "slug": "notice", "body": streamfield([("paragraph", rich_text("<p>안내</p>"))])}
            ),
        )

    def test_the_branch_page_shows_address_phone_districts_and_map(self):
        self.client.logout()
        response = self.client.get(self.pages["branch"].url)
        self.assertContains(response, "서울특별시 지점0로 1")
        self.assertContains(response, 'href="tel:02-2187-2663"')
        self.assertContains(response, "강서구")
        self.assertContains(response, "https://map.naver.com/p/search/")

    def test_the_home_page_lists_branches_stories_and_the_enquiry_number(self):
        self.client.logout()
        response = self.client.get("/")
        self.assertContains(response, "지점0CS지점")
        self.assertContains(response, "이야기 1")
        self.assertContains(response, "02-2187-2663")
        self.assertContains(response, '<main id="main"')
        self.assertContains(response, 'lang="ko"')

    def test_the_sitemap_lists_every_live_page(self):
        response = self.client.get("/sitemap.xml")
        self.assertEqual(response.status_code, 200)
        for page in self.pages.values():
            self.assertContains(response, f"<loc>http://localhost{page.url}</loc>")

    def test_an_unknown_address_answers_404_in_korean(self):
        self.client.logout()
        response = self.client.get("/no-such-page/")
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "페이지를 찾을 수 없습니다", status_code=404)
        self.assertContains(response, "02-2187-2663", status_code=404)

    @override_settings(DEBUG=False)
    def test_a_server_error_answers_500_in_korean(self):
        response = server_error(RequestFactory().get("/"))
        self.assertEqual(response.status_code, 500)
        self.assertIn("일시적인 오류가 발생했습니다", response.content.decode())
