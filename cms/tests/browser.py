"""What the browser tests share: Debian's Chromium, the viewports of each user, and looking at a page.

Screenshots land in VAR_DIR/screenshots/ for people to look at.
"""

import shutil

from axe_playwright_python.sync_playwright import Axe
from django.conf import settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without these, Chromium keeps trying to reach Google's services from a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The applicant's phone, the trainer's tablet, the staff desktop (DESIGN §8).
PHONE = {"width": 360, "height": 780}
TABLET = {"width": 1024, "height": 768}
DESKTOP = {"width": 1280, "height": 800}
SCREENSHOTS = settings.VAR_DIR / "screenshots"


def look(page, name: str, *, accessibility: bool = True) -> None:
    """Save a screenshot, fail on sideways scrolling and, unless told otherwise, on any accessibility violation.

    Staff screens skip the accessibility check: it would judge Wagtail's own admin, not ours.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-top.png")
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} scrolls sideways"
    if accessibility:
        results = Axe().run(page)
        assert results.violations_count == 0, f"{name}:\n{results.generate_report()}"


def log_in(page, base_url: str, username: str, password: str) -> None:
    """Log in to the admin as a person would, through Wagtail's login form."""
    page.goto(base_url + "/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(base_url + "/admin/")
