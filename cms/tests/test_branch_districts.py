"""The branch list says which districts each branch serves, so a visitor finds hers without opening every page."""

import pytest

from cms.models import BranchPage
from cms.tests.sitetree import make_branch, publish
from recruiting.models import District, Province

pytestmark = pytest.mark.django_db


def _card(html: str, branch_name: str) -> str:
    """Return the branch list's card of one branch."""
    card = html[html.index(f"{branch_name}CS지점</a>") :]
    return card.split('<li class="branch-card">')[0]


def test_it_lists_the_districts_of_every_branch_by_province(client, site):
    branch = make_branch("광화문", "gwanghwamun", districts=("마포구", "은평구"))
    District.objects.filter(province=Province.GYEONGGI, name="고양시").update(branch=branch)
    publish(site["branch_index"], BranchPage(title="광화문CS지점", slug=branch.slug, branch=branch))

    html = client.get(site["branch_index"].url).content.decode()

    card = _card(html, "광화문")
    assert "담당 지역" in card
    assert "<li>마포구</li><li>은평구</li>" in card
    assert '<dt>경기도</dt><dd><ul class="district-list"><li>고양시</li></ul></dd>' in card
    assert "강서구" in _card(html, "지점0")


def test_a_branch_serving_no_district_shows_no_empty_heading(client, site):
    html = client.get(site["branch_index"].url).content.decode()
    assert "담당 지역" not in _card(html, "지점1")
