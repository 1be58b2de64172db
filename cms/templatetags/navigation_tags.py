from django import template
from wagtail.models import Page, Site

register = template.Library()


@register.inclusion_tag("tags/main_menu.html", takes_context=True)
def main_menu(context):
    """Render the site's top-level pages that editors marked "show in menus"."""
    request = context["request"]
    site = Site.find_for_request(request)
    current: Page | None = context.get("page")
    if site is None:
        return {"request": request, "entries": []}
    items = site.root_page.get_children().live().in_menu().only("title", "url_path", "path", "depth")
    entries = [(item, current is not None and current.path.startswith(item.path)) for item in items]
    return {"request": request, "entries": entries}


@register.inclusion_tag("tags/breadcrumbs.html", takes_context=True)
def breadcrumbs(context):
    """Render the path from the home page to the current page."""
    page: Page | None = context.get("page")
    ancestors = []
    if page is not None and page.depth > 2:
        # Routing from the home page leaves the pages it passed through on the request.
        ancestors = getattr(context["request"], "page_trail", None)
        if ancestors is None:
            ancestors = page.get_ancestors().filter(depth__gte=2).only("title", "url_path", "path", "depth")
    return {"request": context["request"], "ancestors": ancestors, "page": page}
