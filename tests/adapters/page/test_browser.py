"""The module page in a real headless Chromium: readable at desktop and phone widths, its
stylesheet and image allowed by the Content-Security-Policy, and the 403 page.

Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them). Without them the
test is skipped, except under CI=true, where a missing browser is a failure.
"""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.server import build_web_app, start
from bot.app import App
from bot.features.module_page import ModulePages
from tests.adapters.page.conftest import HANDBOOK_PAGE, learner, store
from tests.conftest import T0

pytestmark = pytest.mark.timeout(180)
DRIVER = Path("/usr/bin/chromedriver")
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


def _browser() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """A headless Chromium driven through the system chromedriver (no Selenium Manager)."""
    browser = _browser()
    if browser is None or not DRIVER.is_file():
        missing = "chromium" if browser is None else str(DRIVER)
        reason = f"{missing} not installed (apt-get install chromium chromium-driver)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SE_OFFLINE", "true")  # never let Selenium Manager download a driver
        driver = webdriver.Chrome(service=Service(executable_path=str(DRIVER)), options=options)
        driver.set_page_load_timeout(30)
        try:
            yield driver
        finally:
            driver.quit()


class Server:
    """`learnbot serve`'s web app on a free port, in a thread with its own event loop."""

    def __init__(self, core: App) -> None:
        self.core = core
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        web_app = build_web_app(core)
        future = asyncio.run_coroutine_threadsafe(
            start(web_app, host="127.0.0.1", port=0), self.loop
        )
        self.runner, port = future.result(timeout=30)
        self.base = f"http://127.0.0.1:{port}"

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@pytest.fixture
def server(page_core: App, handbook_root: Path) -> Iterator[tuple[Server, str]]:
    module_id = store(page_core, handbook_root / HANDBOOK_PAGE, handbook_root)
    running = Server(page_core)
    try:
        yield running, module_id
    finally:
        running.close()


def _colours(png: bytes) -> int:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    return len(colours) if colours is not None else 1_000_000


@pytest.mark.parametrize("size", SIZES)
def test_a_real_handbook_page_reads_well(
    chromium: Any, server: tuple[Server, str], size: str
) -> None:
    from selenium.webdriver.common.by import By

    running, module_id = server
    core_pages = ModulePages(running.core.services)
    ann = learner(running.core, "ann")
    token = core_pages.token(module_id, learner_id=ann.id, now=T0)
    page = core_pages.open(token, now=T0)
    chromium.set_window_size(*SIZES[size])
    chromium.get(f"{running.base}/m/{token}")

    heading = chromium.find_element(By.TAG_NAME, "h1").text
    assert heading == page.title
    visible = chromium.find_element(By.TAG_NAME, "body").text
    paragraphs = [b.text for s in page.sections for b in s.blocks if b.kind == "paragraph"]
    assert paragraphs
    for text in paragraphs[:5]:
        assert " ".join(text.split()) in " ".join(visible.split())
    assert "Your progress: not started" in visible
    headed = [s for s in page.sections if s.level > 1 and s.anchor]
    assert headed
    assert chromium.find_element(By.ID, headed[0].anchor).text == headed[0].title
    assert chromium.find_elements(By.CSS_SELECTOR, "pre code"), "the page's code is shown"

    width = chromium.execute_script("return document.documentElement.scrollWidth")
    inner = chromium.execute_script("return window.innerWidth")
    assert width <= inner, "nothing overflows the screen sideways"
    column = chromium.execute_script(
        "return getComputedStyle(document.querySelector('.page')).maxWidth"
    )
    assert column == "736px", "the stylesheet applied under the Content-Security-Policy"

    shot = chromium.get_screenshot_as_png()
    assert shot.startswith(b"\x89PNG\r\n\x1a\n")
    assert _colours(shot) > 2
    assert not [e for e in chromium.get_log("browser") if "Content Security Policy" in e["message"]]


def test_images_load_and_the_403_page_shows(chromium: Any, server: tuple[Server, str]) -> None:
    from selenium.webdriver.common.by import By

    running, _ = server
    pages = ModulePages(running.core.services)
    token = pages.token("basics", learner_id=None, now=T0)
    chromium.set_window_size(*SIZES["phone"])
    chromium.get(f"{running.base}/m/{token}")
    from selenium.webdriver.support.ui import WebDriverWait

    figure = chromium.find_element(By.CSS_SELECTOR, "figure img")
    chromium.execute_script("arguments[0].scrollIntoView()", figure)  # it loads lazily
    loaded = WebDriverWait(chromium, 15).until(
        lambda d: d.execute_script(
            "return arguments[0].complete && arguments[0].naturalWidth", figure
        )
    )
    assert loaded == 8
    text = chromium.find_element(By.TAG_NAME, "body").text
    assert '<script>alert("code")</script>' in text
    assert chromium.execute_script("return document.scripts.length") == 0
    shot = chromium.get_screenshot_as_png()
    assert shot.startswith(b"\x89PNG")
    assert _colours(shot) > 2

    big = pages.token("big", learner_id=None, now=T0)
    chromium.get(f"{running.base}/m/{big}")
    assert len(chromium.find_elements(By.CSS_SELECTOR, "tbody tr")) == 200
    width = chromium.execute_script("return document.documentElement.scrollWidth")
    assert width <= SIZES["phone"][0], "a wide table or code block scrolls inside itself"

    chromium.get(f"{running.base}/m/{token[:-4]}abcd")
    assert chromium.find_element(By.TAG_NAME, "h1").text == "This page cannot be opened"
    assert "This link is not valid" in chromium.find_element(By.TAG_NAME, "body").text
