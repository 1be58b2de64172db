"""The apply page as every anonymous visitor first sees it, kept in the page cache.

The page cache cannot hold the apply page whole: each answer carries its own CSRF
token. Everything else on a first visit is the same for everyone (the page body, the
open rounds, the districts and branches, the consent notices, the menus), so it is
rendered once with a placeholder where the token goes, and each answer fills in a
fresh token. A posted form and a signed-in user are answered by the view as before.
(Nor can a message wait for an anonymous visitor here: with the page cache on, Wagtail
pages see only the session and CSRF cookies, not the one that carries messages.)

A stored rendering is used only while its stamp matches: the page's live revision,
the day in Seoul (rounds open and close at midnight) and the version token. The
token is dropped once a change to a round, a notice, a branch, a district, the site
settings or any page commits (cms.signals). A rendering begun before such a change
carries the token it read at its start, which never comes back, so it cannot pass for
current; the next visitor draws a new token and renders afresh.
"""

import uuid
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language

from recruiting.views import application_form

VERSION_KEY = "apply-page:version"
# Rendered in place of the token and replaced in every answer; nothing an editor writes
# is rendered unescaped with this shape.
CSRF_PLACEHOLDER = "csrf-token-of-this-answer-5f0c2e"


def _page_cache() -> BaseCache:
    # The page cache, so that clearing it (every publish, `clear_wagtail_cache`) drops these too.
    return caches[settings.WAGTAIL_CACHE_BACKEND]


def serve_application_form(request: HttpRequest, *, page) -> HttpResponse:
    """Answer the apply page: a first visit from the stored rendering, anything else from the view."""
    if not _same_for_everyone(request):
        return application_form(request, page=page)
    cache = _page_cache()
    rendering_key = f"apply-page:{page.pk}:{get_language()}"
    # One cache read on a hit: the version and the rendering together.
    found = cache.get_many([VERSION_KEY, rendering_key])
    stamp = (found.get(VERSION_KEY) or _new_version(cache), page.live_revision_id, _today())
    stored = found.get(rendering_key)
    _ADDRESSES.add(_address(request))
    if stored is not None and stored[0] == stamp:
        html = stored[1]
    else:
        response = application_form(request, page=page)
        if not isinstance(response, TemplateResponse) or response.status_code != 200:
            return response
        response.context_data["csrf_token"] = CSRF_PLACEHOLDER
        html = response.render().content.decode()
        # Also by address, for `before_routing`, which knows no page yet.
        cache.set_many({rendering_key: (stamp, html), _address_key(request): (stamp, html)})
    return _answer(request, html)


def before_routing(serve: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap Wagtail's page view: answer a first visit of the apply page before the page tree is walked.

    Routing (the site, the path through the tree, view restrictions) is most of what a
    stored answer would still cost. At this point the page's revision is unknown, but any
    publish drops the version token, so the version and the day are enough.
    """

    @wraps(serve)
    def serve_or_answer_stored(request: HttpRequest, path: str = "") -> HttpResponse:
        if _address(request) in _ADDRESSES and _same_for_everyone(request):
            found = _page_cache().get_many([VERSION_KEY, _address_key(request)])
            stored = found.get(_address_key(request))
            if stored is not None and stored[0][0] == found.get(VERSION_KEY) and stored[0][2] == _today():
                return _answer(request, stored[1])
        return serve(request, path)

    return serve_or_answer_stored


# The addresses at which this process has served the apply page: only these are looked
# up before routing, so that every other page costs nothing more. An address the page
# has left is looked up in vain (the move dropped the version token) and routed as usual.
_ADDRESSES: set[str] = set()


def _address(request: HttpRequest) -> str:
    return f"{request.get_host()}{request.path}"


def _address_key(request: HttpRequest) -> str:
    return f"apply-page:address:{_address(request)}:{get_language()}"


def _today() -> str:
    return timezone.localdate().isoformat()


def _answer(request: HttpRequest, html: str) -> HttpResponse:
    response = HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))
    add_never_cache_headers(response)
    return response


def _same_for_everyone(request: HttpRequest) -> bool:
    return settings.WAGTAIL_CACHE and request.method in ("GET", "HEAD") and not request.user.is_authenticated


def _new_version(cache: BaseCache) -> str:
    version = uuid.uuid4().hex
    if cache.add(VERSION_KEY, version, timeout=None):
        return version
    # Another process drew one first; a rendering stored under ours would only be a miss.
    return cache.get(VERSION_KEY) or version


def forget_apply_page() -> None:
    """Make every stored rendering of the apply page stale once the current transaction commits."""
    # After the commit, so that a rendering begun later reads the change.
    transaction.on_commit(lambda: _page_cache().delete(VERSION_KEY))
