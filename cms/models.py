"""Page types of the public recruitment site, and its site-wide settings."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index
from wagtailcache.cache import WagtailCacheMixin

from cms.apply_cache import serve_application_form
from cms.blocks import BodyBlock, FaqBlock
from cms.forms import BasePageForm
from core.validators import reject_rrn
from recruiting.models import Branch, District, Province
from recruiting.views import application_done


class BasePage(WagtailCacheMixin, Page):
    """A public page: cacheable for anonymous visitors, with an optional lead paragraph.

    Listings and menus show live pages without filtering out privacy-restricted ones
    (as Wagtail's bakerydemo does): a restricted page still asks for its password or
    login when opened, and listings stay one query each.
    """

    intro = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("One or two sentences shown under the title and in listings"),
        validators=[reject_rrn],
    )

    search_fields = Page.search_fields + [index.SearchField("intro")]
    content_panels = Page.content_panels + [FieldPanel("intro")]
    # Refuses a resident registration number in Wagtail's own fields and in the blocks of a body.
    base_form_class = BasePageForm

    class Meta:
        abstract = True

    @classmethod
    def routing_queryset(cls):
        """Return the queryset a request's page is fetched with: the place to join what it shows."""
        return cls.objects.all()

    def get_view_restrictions(self):
        # Wagtail's restriction check and the page cache both ask on every cold
        # view; keeping the queryset lets its cached rows answer the second time.
        if not hasattr(self, "_view_restrictions"):
            self._view_restrictions = super().get_view_restrictions()
        return self._view_restrictions


class HomePage(BasePage):
    hero_title = models.CharField(
        _("headline"),
        max_length=120,
        help_text=_("The large headline at the top of the home page"),
        validators=[reject_rrn],
    )
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("headline image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Optional photo beside the headline"),
    )
    cta_label = models.CharField(
        _("call to action label"),
        max_length=40,
        default="지원 상담 신청하기",
        help_text=_("The label of the main button"),
        validators=[reject_rrn],
    )
    cta_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("call to action page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Where the main button leads; without one it calls the enquiry number"),
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True, help_text=_("The sections of the page"))

    content_panels = BasePage.content_panels + [
        MultiFieldPanel(
            [FieldPanel("hero_title"), FieldPanel("hero_image"), FieldPanel("cta_label"), FieldPanel("cta_page")],
            heading=_("Headline"),
        ),
        FieldPanel("body"),
    ]
    search_fields = BasePage.search_fields + [index.SearchField("body")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "cms.ApplyPage",
        "cms.BranchIndexPage",
        "cms.StoryIndexPage",
        "cms.TrainingPage",
        "cms.FaqPage",
        "cms.ContentPage",
    ]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def route(self, request, path_components):
        """Find the page under the home page with one query for the whole path.

        Wagtail walks the tree with two queries per level; every page type here routes
        plainly, so the pages along the URL are fetched at once by their url_path and
        kept on the request for the breadcrumbs. Paths that match no page (e.g. the
        sub-routes of a routable page) fall back to Wagtail's walk.
        """
        if path_components:
            prefixes = ["/".join(path_components[: depth + 1]) for depth in range(len(path_components))]
            trail = list(Page.objects.filter(url_path__in=[f"{self.url_path}{p}/" for p in prefixes]).order_by("depth"))
            if len(trail) == len(path_components):
                request.page_trail = [self, *trail[:-1]]
                found = trail[-1]
                specific_class = found.specific_class
                if issubclass(specific_class, BasePage):
                    return specific_class.routing_queryset().get(pk=found.pk).route(request, [])
                return found.specific.route(request, [])
        return super().route(request, path_components)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["branches"] = Branch.objects.select_related("page")
        context["stories"] = StoryPage.objects.live().order_by("-first_published_at")[:3]
        return context


def districts_by_province(districts) -> list[tuple[str, list[str]]]:
    """Return (province label, district names) for each province that has one of the districts."""
    districts = list(districts)
    return [
        (label, [d.name for d in districts if d.province == value])
        for value, label in Province.choices
        if any(d.province == value for d in districts)
    ]


class BranchIndexPage(BasePage):
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.BranchPage"]
    max_count = 1

    class Meta:
        verbose_name = _("branch index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The districts of every branch come in one query, so a visitor finds the
        # branch serving where she lives without opening each page.
        branch_pages = list(
            BranchPage.objects.live()
            .child_of(self)
            .select_related("branch")
            .prefetch_related("branch__districts")
            .order_by("branch__sort_order")
        )
        context["branch_pages"] = [
            (branch_page, districts_by_province(branch_page.branch.districts.all())) for branch_page in branch_pages
        ]
        return context


class BranchPage(BasePage):
    branch = models.OneToOneField(
        Branch,
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="page",
        help_text=_("Address, phone and districts come from this branch"),
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True, help_text=_("Anything more about the branch"))

    content_panels = BasePage.content_panels + [FieldPanel("branch"), FieldPanel("body")]

    parent_page_types = ["cms.BranchIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("branch page")

    @classmethod
    def routing_queryset(cls):
        return cls.objects.select_related("branch")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["districts_by_province"] = districts_by_province(District.objects.filter(branch_id=self.branch_id))
        return context


class StoryIndexPage(BasePage):
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.StoryPage"]
    max_count = 1

    class Meta:
        verbose_name = _("story index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["stories"] = StoryPage.objects.live().child_of(self).select_related("branch", "photo").order_by("path")
        return context


class StoryPage(BasePage):
    person_name = models.CharField(
        _("name"),
        max_length=40,
        help_text=_("The person interviewed, as they agree to be named"),
        validators=[reject_rrn],
    )
    role = models.CharField(
        _("role"), max_length=60, help_text=_("e.g. 지점장, 수석팀장, 2년 차 CS RC"), validators=[reject_rrn]
    )
    branch = models.ForeignKey(
        Branch,
        verbose_name=_("branch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The branch the person works at"),
    )
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Optional portrait; only with the person's consent"),
    )
    body = StreamField(
        BodyBlock(), verbose_name=_("interview"), blank=True, help_text=_("Mostly questions and answers")
    )

    content_panels = BasePage.content_panels + [
        MultiFieldPanel(
            [FieldPanel("person_name"), FieldPanel("role"), FieldPanel("branch"), FieldPanel("photo")],
            heading=_("Interviewee"),
        ),
        FieldPanel("body"),
    ]
    search_fields = BasePage.search_fields + [index.SearchField("person_name"), index.SearchField("body")]

    parent_page_types = ["cms.StoryIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("story page")

    @classmethod
    def routing_queryset(cls):
        return cls.objects.select_related("branch", "photo")


class TrainingPage(BasePage):
    body = StreamField(
        BodyBlock(), verbose_name=_("body"), blank=True, help_text=_("The program, week by week, and month 4")
    )

    content_panels = BasePage.content_panels + [FieldPanel("body")]
    search_fields = BasePage.search_fields + [index.SearchField("body")]

    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    max_count = 1

    template = "cms/article_page.html"

    class Meta:
        verbose_name = _("training page")


class FaqPage(BasePage):
    body = StreamField(FaqBlock(), verbose_name=_("questions"), blank=True, help_text=_("Questions and their answers"))

    content_panels = BasePage.content_panels + [FieldPanel("body")]
    search_fields = BasePage.search_fields + [index.SearchField("body")]

    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    max_count = 1

    template = "cms/article_page.html"

    class Meta:
        verbose_name = _("FAQ page")


class ContentPage(BasePage):
    """A generic page, e.g. the privacy policy."""

    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True, help_text=_("The content of the page"))

    content_panels = BasePage.content_panels + [FieldPanel("body")]
    search_fields = BasePage.search_fields + [index.SearchField("body")]

    parent_page_types = ["cms.HomePage", "cms.ContentPage"]
    subpage_types = ["cms.ContentPage"]

    template = "cms/article_page.html"

    class Meta:
        verbose_name = _("content page")


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting):
    organisation_name = models.CharField(
        _("organisation name"),
        max_length=80,
        default="CS RC 채용",
        help_text=_("Shown in the header and footer"),
        validators=[reject_rrn],
    )
    contact_phone = models.CharField(
        _("enquiry phone"),
        max_length=20,
        default="02-2187-2663",
        help_text=_("Shown on every page, e.g. 02-2187-2663"),
        validators=[reject_rrn],
    )
    contact_hours = models.CharField(
        _("enquiry hours"), max_length=80, blank=True, help_text=_("e.g. 평일 09:00~18:00"), validators=[reject_rrn]
    )
    footer_text = models.TextField(
        _("footer text"),
        blank=True,
        help_text=_("Company details shown at the bottom of every page"),
        validators=[reject_rrn],
    )
    apply_page = models.ForeignKey(
        "cms.ApplyPage",
        verbose_name=_("apply page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The application form every page links to"),
    )
    privacy_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("privacy policy page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Linked from the footer of every page and from the application form"),
    )
    instagram_url = models.URLField(
        _("Instagram"), blank=True, help_text=_("Full address of the profile"), validators=[reject_rrn]
    )
    youtube_url = models.URLField(
        _("YouTube"), blank=True, help_text=_("Full address of the channel"), validators=[reject_rrn]
    )
    blog_url = models.URLField(_("blog"), blank=True, help_text=_("Full address of the blog"), validators=[reject_rrn])

    # Every page links to the apply and privacy pages; joining them keeps those links free of queries.
    select_related = ["apply_page", "privacy_page"]

    class Meta:
        verbose_name = _("site settings")

    @property
    def contact_phone_uri(self) -> str:
        """Return the enquiry phone as a tel: link target."""
        return "tel:" + "".join(ch for ch in self.contact_phone if ch.isdigit() or ch == "+")

    @property
    def social_links(self) -> list[tuple[str, str]]:
        """Return (label, url) for every social profile that is filled in."""
        links = [("Instagram", self.instagram_url), ("YouTube", self.youtube_url), (_("Blog"), self.blog_url)]
        return [(label, url) for label, url in links if url]


class ApplyPage(RoutablePageMixin, BasePage):
    """지원하기: hosts the application form of recruiting; never served from the page cache as a whole."""

    body = StreamField(
        BodyBlock(), verbose_name=_("body"), blank=True, help_text=_("Shown above the form, e.g. what to expect")
    )
    closed_text = models.TextField(
        _("text when no round is open"),
        default="지금은 진행 중인 모집이 없습니다. 다음 모집 일정은 전화로 안내해 드립니다.",
        help_text=_("Shown instead of the form when no recruitment round is open"),
        validators=[reject_rrn],
    )
    done_text = models.TextField(
        _("what happens next"),
        default=(
            # True for a new application and for a repeated one alike: the page must not tell them apart.
            "지원서를 받았습니다. 지원 현황을 볼 수 있는 링크를 이메일로 보내 드렸습니다. "
            "영업일 기준 3일 안에 희망하신 지점에서 지원 상담 일정을 안내해 드립니다."
        ),
        help_text=_("Shown after a successful application"),
        validators=[reject_rrn],
    )

    content_panels = BasePage.content_panels + [FieldPanel("body"), FieldPanel("closed_text"), FieldPanel("done_text")]

    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    max_count = 1

    class Meta:
        verbose_name = _("apply page")

    # The views live in recruiting and mark their responses never-cache. A first visit
    # comes from a stored rendering with a fresh CSRF token (cms.apply_cache).
    @path("")
    def apply(self, request):
        return serve_application_form(request, page=self)

    @path("done/")
    def done(self, request):
        return application_done(request, page=self)
