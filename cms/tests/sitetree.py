"""Build a small public site for tests: one of every page type, with named branches."""

from wagtail.models import Page, Site

from cms.models import (
    ApplyPage,
    BranchIndexPage,
    BranchPage,
    ContentPage,
    FaqPage,
    HomePage,
    SiteSettings,
    StoryIndexPage,
    StoryPage,
    TrainingPage,
)
from recruiting.models import Branch, District, Province

QA = ("question_answer", {"question": "CS RC는 어떤 일을 하나요?", "answer": "<p>기존 고객을 관리합니다.</p>"})


def make_branch(name: str, slug: str, *, districts: tuple[str, ...] = ()) -> Branch:
    branch = Branch.objects.create(name=name, slug=slug, address=f"서울특별시 {name}로 1", phone="02-2187-2663")
    District.objects.filter(province=Province.SEOUL, name__in=districts).update(branch=branch)
    return branch


def publish(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def build_site(*, branches: int = 2, stories: int = 2) -> dict[str, Page]:
    """Replace Wagtail's welcome page with a home page and one page of every type below it."""
    root = Page.get_first_root_node()
    for placeholder in root.get_children():
        placeholder.delete()
    home = publish(root, HomePage(title="홈", slug="home", hero_title="고객이 기다리고 있습니다", intro="소개"))
    site = Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    apply_page = publish(home, ApplyPage(title="지원하기", slug="apply"))
    SiteSettings.objects.create(site=site, contact_phone="02-2187-2663", footer_text="데모 회사", apply_page=apply_page)

    branch_index = publish(home, BranchIndexPage(title="지점 안내", slug="branches", show_in_menus=True))
    branch_pages = []
    for number in range(branches):
        branch = make_branch(f"지점{number}", f"branch-{number}", districts=("강서구",) if number == 0 else ())
        branch_pages.append(
            publish(branch_index, BranchPage(title=f"{branch.name}CS지점", slug=branch.slug, branch=branch))
        )

    story_index = publish(home, StoryIndexPage(title="CS RC 이야기", slug="stories", show_in_menus=True))
    story_pages = [
        publish(
            story_index,
            StoryPage(
                title=f"이야기 {number}",
                slug=f"story-{number}",
                person_name=f"김서연{number}",
                role="팀장",
                branch=branch_pages[0].branch,
                body=[QA, ("quote", {"text": "하루에 한 분은 꼭 만납니다.", "attribution": "팀장"})],
            ),
        )
        for number in range(stories)
    ]
    return {
        "home": home,
        "apply": apply_page,
        "branch_index": branch_index,
        "branch": branch_pages[0],
        "story_index": story_index,
        "story": story_pages[0],
        "training": publish(home, TrainingPage(title="교육 과정", slug="training", show_in_menus=True)),
        "faq": publish(home, FaqPage(title="자주 묻는 질문", slug="faq", show_in_menus=True, body=[QA])),
        "content": publish(home, ContentPage(title="개인정보처리방침", slug="privacy")),
    }
