"""The Korean catalogue is complete, compiled, and in step with the source."""

import shutil

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

PO_PATH = settings.BASE_DIR / "locale" / "ko" / "LC_MESSAGES" / "django.po"
# Our corrections of Django's and Wagtail's own Korean strings (msgids not in our source).
OVERRIDES_PO_PATH = settings.BASE_DIR / "locale" / "overrides" / "ko" / "LC_MESSAGES" / "django.po"
CATALOGUES = pytest.mark.parametrize("po_path", [PO_PATH, OVERRIDES_PO_PATH], ids=["ours", "overrides"])
SOURCE_FOLDERS = ["config", "core", "cms", "recruiting", "curriculum", "assignments", "templates"]


def _translations(entries) -> dict[tuple[str | None, str], object]:
    return {(e.msgctxt, e.msgid): (e.msgstr_plural and dict(e.msgstr_plural)) or e.msgstr for e in entries if e.msgid}


@CATALOGUES
def test_every_msgid_has_a_korean_translation(po_path):
    catalogue = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in catalogue if not e.obsolete and not e.translated()]
    fuzzy = [e.msgid for e in catalogue if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []


@CATALOGUES
def test_the_committed_mo_file_matches_the_po_file(po_path):
    catalogue = polib.pofile(str(po_path))
    compiled = polib.mofile(str(po_path.with_suffix(".mo")))
    live = [e for e in catalogue if not e.obsolete]
    assert _translations(compiled) == _translations(live), "run: manage.py compilemessages -l ko"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed (CI installs it)")
def test_the_catalogue_holds_every_msgid_of_the_source(tmp_path, monkeypatch):
    # makemessages writes into the locale folder beside the sources it scans, so it
    # scans a copy of them, leaving the committed catalogue untouched.
    for folder in SOURCE_FOLDERS:
        shutil.copytree(settings.BASE_DIR / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "locale").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(settings, "LOCALE_PATHS", [tmp_path / "locale"])
    call_command("makemessages", locale=["ko"], verbosity=0)
    fresh = {e.msgid for e in polib.pofile(str(tmp_path / "locale" / "ko" / "LC_MESSAGES" / "django.po")) if e.msgid}
    committed = {e.msgid for e in polib.pofile(str(PO_PATH)) if e.msgid and not e.obsolete}
    assert sorted(fresh - committed) == [], "run: manage.py makemessages -l ko, then translate"
