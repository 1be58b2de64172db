"""Admin screens of the public site beyond pages: the consent notices."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.models import ConsentNotice


class ConsentNoticeViewSet(SnippetViewSet):
    model = ConsentNotice
    icon = "doc-full"
    menu_label = _("Consent notices")
    add_to_admin_menu = True
    menu_order = 250
    list_display = ["title", "is_required", "version", "is_active"]


register_snippet(ConsentNoticeViewSet)
