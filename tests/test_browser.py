"""The batch's pages in a real browser with the network blocked: they must open fully offline.

Uses Debian's Chromium (/usr/bin/chromium) through Python playwright, never a browser that
playwright downloads. Without either, the tests skip with the reason, except in CI (env
CI=true), where they fail. Screenshots go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import IN_CI

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A Chromium context with a fresh profile, and the list of requests it aborted: every
    request that is not file: or data:."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} not found: install Debian's chromium (make system-deps)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed: pip install playwright "
                     "(do not run 'playwright install': the tests use /usr/bin/chromium)")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            user_data_dir=str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
        )
        blocked: list[str] = []

        def offline(route):
            if route.request.url.startswith(("file:", "data:")):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        context.route("**/*", offline)
        try:
            yield context, blocked
        finally:
            context.close()


def open_offline(browser, path: Path, shot: str) -> dict:
    """Open a page by file:// and return what went wrong: requests, failures, errors, images."""
    context, blocked = browser
    page = context.new_page()
    failed, errors = [], []
    page.on("requestfailed", lambda r: failed.append(f"{r.url}: {r.failure}"))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    start = len(blocked)
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_load_state("networkidle")
    images = page.evaluate("Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth])")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
    lang = page.evaluate("document.documentElement.lang")
    page.close()
    return {"blocked": blocked[start:], "failed": failed, "errors": errors, "images": images, "lang": lang}


@pytest.mark.parametrize(("page", "min_images"), [("index.html", 1), ("187-chi-lang.html", 5)])
def test_page_opens_offline(browser, sample_batch, page, min_images):
    seen = open_offline(browser, sample_batch.folder / page, f"browser-{Path(page).stem}.png")
    assert seen["blocked"] == [], "the page tried to reach the network"
    assert seen["failed"] == []
    assert seen["errors"] == []
    assert len(seen["images"]) >= min_images
    broken = [alt for alt, complete, width in seen["images"] if not (complete and width > 0)]
    assert broken == [], f"images that did not load: {broken}"
    assert seen["lang"] == "vi"
