"""The program belongs to a non-life insurer: nothing shown or seeded speaks of life insurance (생명보험)."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from wagtail.models import Page

from cms.demo.loader import DemoLoader
from curriculum.defaults import DEFAULT_CURRICULUM_NAME, RETIRED_WORDING
from curriculum.models import Curriculum
from recruiting.models import ConsentNotice

LIFE_INSURANCE_WORDS = ("생명", "생보")


def _speaks_of_life_insurance(text: str) -> bool:
    return any(word in text for word in LIFE_INSURANCE_WORDS)


@pytest.mark.django_db
def test_no_seeded_page_notice_or_curriculum_mentions_life_insurance(client):
    call_command("setup", verbosity=0)
    DemoLoader().seed_public_site()
    for page in Page.objects.live().filter(depth__gt=1):
        html = client.get(page.url).content.decode()
        assert not _speaks_of_life_insurance(html), page.title
    for notice in ConsentNotice.objects.all():
        text = " ".join(str(getattr(notice, field)) for field in ConsentNotice.VERSIONED_FIELDS)
        assert not _speaks_of_life_insurance(text), notice.title
    curriculum = Curriculum.objects.get(name=DEFAULT_CURRICULUM_NAME)
    texts = [curriculum.description, *curriculum.modules.values_list("title", flat=True)]
    assert not any(_speaks_of_life_insurance(text) for text in texts)
    assert "손해보험 설계사 자격시험" in " ".join(texts)


def test_no_korean_translation_mentions_life_insurance():
    for catalogue in ("locale/ko/LC_MESSAGES/django.po", "locale/overrides/ko/LC_MESSAGES/django.po"):
        for entry in polib.pofile(str(Path(settings.BASE_DIR, catalogue))):
            assert not _speaks_of_life_insurance(entry.msgstr), entry.msgid


def test_no_template_mentions_life_insurance():
    for template in Path(settings.BASE_DIR, "templates").rglob("*.*"):
        assert not _speaks_of_life_insurance(template.read_text()), template


@pytest.mark.django_db
def test_setup_rewords_an_installed_default_curriculum_but_keeps_what_editors_wrote():
    call_command("setup", verbosity=0)
    curriculum = Curriculum.objects.get(name=DEFAULT_CURRICULUM_NAME)
    old_texts = list(RETIRED_WORDING)
    modules = list(curriculum.modules.order_by("sort_order"))
    # An install from before: the old default wording, and one module an editor renamed.
    modules[0].title = next(text for text in old_texts if "기초" in text)
    modules[0].save()
    modules[-1].title = next(text for text in old_texts if "모의고사" in text)
    modules[-1].save()
    modules[1].title = "편집자가 바꾼 생명보험 과목"
    modules[1].save()
    curriculum.description = next(text for text in old_texts if "13주" in text)
    curriculum.save()

    call_command("setup", verbosity=0)
    call_command("setup", verbosity=0)

    curriculum.refresh_from_db()
    titles = list(curriculum.modules.order_by("sort_order").values_list("title", flat=True))
    assert titles[0] == RETIRED_WORDING[modules[0].title]
    assert titles[-1] == RETIRED_WORDING[modules[-1].title]
    assert titles[1] == "편집자가 바꾼 생명보험 과목"
    assert curriculum.description == RETIRED_WORDING[next(text for text in old_texts if "13주" in text)]
