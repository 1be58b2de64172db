"""Each public page holds a small, constant number of queries whatever the data size."""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.models import BranchPage, StoryPage
from cms.tests.sitetree import build_site, make_branch, publish
from recruiting.consent_defaults import install_default_notices
from recruiting.models import RecruitmentRound

# Rendering a page from the database (the page cache misses or is off). The apply
# page is never cached; on top of a page's own queries its form reads the open
# rounds, the districts, the branches and the consent notices, one query each. The
# branch index reads the districts of all its branches in one more query.
RENDER_QUERIES = {
    "apply": 13,
    "home": 9,
    "branch_index": 11,
    "branch": 10,
    "story_index": 10,
    "story": 9,
    "training": 9,
    "faq": 9,
    "content": 9,
}
# With the database page cache, a miss also reads the cache once and writes two
# entries (the response and its header list), each write being a cull count, a
# lookup and an insert inside a savepoint. With Redis these are not SQL.
CACHE_MISS_EXTRA_QUERIES = 11
# A hit reads the header list and the response: two cache reads, nothing else.
CACHE_HIT_QUERIES = 2


def _queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.fixture
def pages(db):
    pages = build_site()
    install_default_notices()
    today = timezone.localdate()
    RecruitmentRound.objects.create(
        title="모집", opens_on=today, closes_on=today + timedelta(days=9), cohort_starts_on=today, capacity=9
    )
    return pages


def _cached(pages) -> dict:
    """Return the pages the page cache may hold: all but the form."""
    return {name: page for name, page in pages.items() if name != "apply"}


def _render_counts(client, pages) -> dict[str, int]:
    return {name: _queries_for(client, url) for name, url in ((n, p.url) for n, p in pages.items())}


def test_rendering_each_page_type_holds_the_pinned_number_of_queries(client, pages, settings):
    settings.WAGTAIL_CACHE = False
    counts = _render_counts(client, pages)
    assert counts == RENDER_QUERIES
    assert max(count for name, count in counts.items() if name != "apply") <= 11


def test_a_cache_miss_adds_only_the_cache_reads_and_writes(client, pages):
    for name, page in _cached(pages).items():
        url = page.url
        caches["pages"].clear()
        assert _queries_for(client, url) == RENDER_QUERIES[name] + CACHE_MISS_EXTRA_QUERIES, name


def test_a_cache_hit_holds_the_pinned_number_of_queries(client, pages):
    for page in _cached(pages).values():
        url = page.url
        client.get(url)
        assert _queries_for(client, url) == CACHE_HIT_QUERIES


def test_query_counts_do_not_grow_with_more_branches_and_stories(client, pages, settings):
    settings.WAGTAIL_CACHE = False
    for number in range(10, 20):
        branch = make_branch(f"추가{number}", f"extra-{number}", districts=("마포구", "은평구") if number == 10 else ())
        publish(pages["branch_index"], BranchPage(title=branch.name, slug=branch.slug, branch=branch))
        publish(
            pages["story_index"],
            StoryPage(title=f"추가 {number}", slug=f"extra-{number}", person_name="이서연", role="팀장", branch=branch),
        )
    assert _render_counts(client, pages) == RENDER_QUERIES
