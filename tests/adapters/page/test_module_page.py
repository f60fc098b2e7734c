"""Module pages: signed tokens, who may open them, sanitized HTML, images and the link rule."""

from __future__ import annotations

import os
import stat
from datetime import datetime, timedelta
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.adapters.page.html import render_page
from bot.app import App, build_app
from bot.core.events import Channel
from bot.core.ports import PathInputs
from bot.features.module_page import (
    KEY_FILE,
    ImageMissing,
    ModulePages,
    PageGrant,
    PageRefused,
    image_type,
    link_for,
    page_link,
    sign,
    signing_key,
    verify,
)
from bot.storage.tables import lesson_cards
from content_index.model import ContentBlock
from content_index.page import local_image
from tests.adapters.page.conftest import ORG, PUBLIC_URL, Library, learner, page_settings, png
from tests.conftest import T0
from tests.fakes import use_features

KEY = b"k" * 32
ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "div", "header", "main", "footer", "nav",
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "a", "ul", "ol", "li", "table", "thead", "tbody",
    "tr", "th", "td", "pre", "code", "figure", "figcaption", "img",
}  # fmt: skip


class Tags(HTMLParser):
    """Every start tag with its attributes, and the visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Tags:
    parser = Tags()
    parser.feed(html)
    return parser


def open_page(core: App, module_id: str, learner_id: str | None = None) -> str:
    pages = ModulePages(core.services)
    token = pages.token(module_id, learner_id=learner_id, now=T0)
    view = pages.open(token, now=T0)
    return render_page(view, image_src=lambda p: f"IMG:{p}" if p in view.images else None)


# Tokens


def test_a_token_carries_module_learner_and_expiry() -> None:
    grant = PageGrant("security/basics", "learner-1", T0 + timedelta(days=7))
    assert verify(KEY, sign(KEY, grant), now=T0) == grant
    anonymous = PageGrant("security/basics", None, T0 + timedelta(days=7))
    assert verify(KEY, sign(KEY, anonymous), now=T0).learner_id is None


def test_a_token_expires() -> None:
    token = sign(KEY, PageGrant("m", None, T0 + timedelta(days=7)))
    assert verify(KEY, token, now=T0 + timedelta(days=7) - timedelta(seconds=1)).module_id == "m"
    with pytest.raises(PageRefused) as refused:
        verify(KEY, token, now=T0 + timedelta(days=7))
    assert refused.value.reason == "expired"


@pytest.mark.parametrize(
    "forge",
    [
        lambda t: sign(b"another key of the same length!!", PageGrant("m", None, T0)),
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: "eyJtIjoibSIsImwiOiJhZG1pbiIsImUiOjk5OTk5OTk5OTl9." + t.split(".")[1],
        lambda t: t.split(".")[0],
        lambda t: "",
        lambda t: "x" * 5000,
        lambda t: "not-a-token",
    ],
    ids=["other-key", "bad-signature", "swapped-payload", "no-signature", "empty", "huge", "junk"],
)
def test_a_forged_or_damaged_token_is_invalid(forge) -> None:  # type: ignore[no-untyped-def]
    token = sign(KEY, PageGrant("m", None, T0 + timedelta(days=7)))
    with pytest.raises(PageRefused) as refused:
        verify(KEY, forge(token), now=T0)
    assert refused.value.reason == "invalid"


def test_a_signed_payload_of_the_wrong_shape_is_invalid() -> None:
    from itsdangerous import URLSafeSerializer

    from bot.features.module_page import SALT

    for payload in ({"m": 1, "l": None, "e": 9}, {"m": "x"}, ["m"], {"m": "x", "l": 3, "e": 9}):
        token = URLSafeSerializer(KEY, salt=SALT).dumps(payload)
        with pytest.raises(PageRefused):
            verify(KEY, token, now=T0)


def test_the_key_is_generated_once_owner_only(tmp_path: Path) -> None:
    settings = page_settings(tmp_path)
    first = signing_key(settings)
    assert signing_key(settings) == first
    key_file = settings.home / KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first) == 64
    configured = page_settings(tmp_path, LEARNBOT_SECRET_KEY="configured secret")
    assert signing_key(configured) == b"configured secret"


def test_a_token_signed_with_another_secret_key_is_refused(tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    one = build_app(page_settings(tmp_path, LEARNBOT_SECRET_KEY="one"), clock=clock)
    two = build_app(page_settings(tmp_path, LEARNBOT_SECRET_KEY="two"), clock=clock)
    token = ModulePages(one.services).token("basics", learner_id=None, now=T0)
    with pytest.raises(PageRefused) as refused:
        ModulePages(two.services).open(token, now=T0)
    assert refused.value.reason == "invalid"


def test_the_ttl_comes_from_settings(tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    core = build_app(page_settings(tmp_path, LEARNBOT_PAGE_TTL_DAYS="2"), clock=clock)
    token = ModulePages(core.services).token("m", learner_id=None, now=T0)
    assert verify(signing_key(core.settings), token, now=T0).expires == T0 + timedelta(days=2)


# Who may open a page


def test_a_retired_module_is_refused(page_core: App) -> None:
    pages = ModulePages(page_core.services)
    token = pages.token("basics", learner_id=None, now=T0)
    assert pages.open(token, now=T0).title == "Security basics"
    page_core.services.content.set_retired("basics", True)
    with pytest.raises(PageRefused) as refused:
        pages.open(token, now=T0)
    assert refused.value.reason == "unavailable"
    page_core.services.content.delete("basics")
    with pytest.raises(PageRefused):
        pages.open(token, now=T0)


def test_the_audience_decides_for_the_learner_named(page_core: App) -> None:
    pages = ModulePages(page_core.services)
    ann = learner(page_core, "ann")
    boss = learner(page_core, "boss", roles=frozenset({"manager"}))
    for who in (ann.id, None):
        token = pages.token("managers-only", learner_id=who, now=T0)
        with pytest.raises(PageRefused) as refused:
            pages.open(token, now=T0)
        assert refused.value.reason == "unavailable"
    token = pages.token("managers-only", learner_id=boss.id, now=T0)
    assert pages.open(token, now=T0).title == "Managing performance"


def test_a_learner_who_is_gone_is_refused(page_core: App) -> None:
    pages = ModulePages(page_core.services)
    ann = learner(page_core, "ann")
    token = pages.token("basics", learner_id=ann.id, now=T0)
    page_core.services.learners.delete(ann.id)
    with pytest.raises(PageRefused):
        pages.open(token, now=T0)


def test_a_personal_page_shows_progress_and_an_open_one_does_not(page_core: App) -> None:
    ann = learner(page_core, "ann")
    assert "Your progress: not started" in open_page(page_core, "basics", ann.id)
    page_core.services.path_records.mark(ann.id, "basics", "done", now=T0)
    assert "Your progress: done" in open_page(page_core, "basics", ann.id)
    assert "Your progress" not in open_page(page_core, "basics", None)


# Links and the rule of where they may go


def test_page_link_needs_a_public_url(page_core: App, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    link = page_link(page_core.services, "basics", learner_id=None, now=T0, anchor="passwords")
    assert link is not None
    assert link.startswith(f"{PUBLIC_URL}/m/")
    assert link.endswith("#passwords")
    token = link.removeprefix(f"{PUBLIC_URL}/m/").removesuffix("#passwords")
    assert ModulePages(page_core.services).open(token, now=T0).module_id == "basics"
    bare = build_app(page_settings(tmp_path, LEARNBOT_PUBLIC_URL=""), clock=clock)
    assert page_link(bare.services, "basics", learner_id=None, now=T0) is None


def test_no_link_for_a_page_that_would_refuse_it(page_core: App) -> None:
    ann = learner(page_core, "ann")
    services = page_core.services
    assert page_link(services, "no-such-module", learner_id=None, now=T0) is None
    assert page_link(services, "managers-only", learner_id=ann.id, now=T0) is None
    services.content.set_retired("basics", True)
    assert page_link(services, "basics", learner_id=ann.id, now=T0) is None


def test_personal_links_only_in_direct_messages(page_core: App) -> None:
    services = page_core.services
    pages = ModulePages(services)
    key = signing_key(services.settings)
    ann = learner(page_core, "ann")
    boss = learner(page_core, "boss", roles=frozenset({"manager"}))
    dm, channel = Channel("D1", is_direct=True), Channel("C1", is_direct=False, thread_id="t")

    def grant(link: str | None) -> PageGrant:
        assert link is not None
        return verify(key, link.rsplit("/", 1)[1].split("#")[0], now=T0)

    assert (
        grant(link_for(services, "basics", learner_id=ann.id, channel=dm, now=T0)).learner_id
        == ann.id
    )
    in_channel = link_for(services, "basics", learner_id=ann.id, channel=channel, now=T0)
    assert grant(in_channel).learner_id is None
    assert "Your progress" not in render_page(
        pages.open(in_channel.rsplit("/", 1)[1], now=T0),
        image_src=lambda p: None,  # type: ignore[union-attr]
    )
    # A restricted module is never linked where others read, even by someone who may see it.
    assert link_for(services, "managers-only", learner_id=boss.id, channel=channel, now=T0) is None
    assert link_for(services, "managers-only", learner_id=boss.id, channel=dm, now=T0) is not None


# The HTML


def test_script_and_javascript_links_render_inert(page_core: App) -> None:
    html = open_page(page_core, "basics")
    parsed = parse(html)
    assert {tag for tag, _ in parsed.tags} <= ALLOWED_TAGS
    for tag, attrs in parsed.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        for name in ("href", "src"):
            value = attrs.get(name, "")
            assert not value.lower().startswith(("javascript:", "data:", "http:")), value
    text = "".join(parsed.text)
    assert '<script>alert("code")</script>' in text  # shown as code, as written
    assert "secrets <script>alert(1)</script>" in text  # a table cell, as text
    assert "<script" not in html.split("</style>", 1)[1].replace("&lt;script", "")


def test_blocks_become_their_elements(page_core: App) -> None:
    html = open_page(page_core, "basics")
    assert "<table><thead><tr><th>Tool</th><th>Use &lt;b&gt;it&lt;/b&gt; for</th>" in html
    assert "<td>Vault</td>" in html
    assert "<pre><code>&lt;script&gt;alert(&quot;code&quot;)&lt;/script&gt;\n" in html
    assert "<ul><li>Lock your screen</li><li>Report lost devices</li></ul>" in html
    assert f"<title>Security basics · {escape(ORG)}</title>" in html
    assert '<p class="summary">What to do about suspicious email.</p>' in html


def test_headings_carry_the_anchors_cards_link_to(page_core: App) -> None:
    html = open_page(page_core, "basics")
    ids = {attrs["id"] for _, attrs in parse(html).tags if "id" in attrs}
    cards = page_core.services.lessons.cards("basics")
    assert cards
    assert {c.anchor for c in cards if c.anchor} <= ids
    assert '<h2 id="passwords"><a href="#passwords">Passwords</a></h2>' in html


def test_a_module_with_only_a_title(page_core: App) -> None:
    html = open_page(page_core, "title-only")
    assert "<h1>Just a title</h1>" in html
    assert "This module has no text yet." in html


def test_a_200_row_table_and_a_1000_line_code_block_are_whole(page_core: App) -> None:
    html = open_page(page_core, "big")
    assert html.count("<tr>") == 201
    assert "<td>row 200</td><td>value 1400</td>" in html
    code = html.split("<pre><code>", 1)[1].split("</code></pre>", 1)[0]
    assert code.count("\n") == 999
    assert "line_1000 = 1000  # &lt;tag 1000&gt;" in code


def test_a_module_stored_before_pages_still_opens(page_core: App) -> None:
    from sqlalchemy import update

    cards = page_core.services.lessons.cards("basics")
    assert cards
    listed = [{"n": c.n, "kind": c.kind, "text": c.text, "chars": c.chars} for c in cards]
    with page_core.services.engine.begin() as conn:
        conn.execute(
            update(lesson_cards).where(lesson_cards.c.module_id == "basics").values(cards=listed)
        )
    assert page_core.services.lessons.cards("basics") == tuple(
        c.__class__(c.n, c.kind, c.text, c.chars) for c in cards
    )
    assert page_core.services.lessons.page("basics") is None
    assert page_core.services.content.has_cards("basics")
    assert not page_core.services.content.has_cards("basics", with_page=True)
    assert "has not been built yet" in open_page(page_core, "basics")


# Images


@pytest.mark.parametrize(
    ("src", "base", "expected"),
    [
        ("img/a.png", "", "img/a.png"),
        ("./img/a.PNG", "", "img/a.PNG"),
        ("../img/a.png", "docs", "img/a.png"),
        ("a.jpg", "docs/hr", "docs/hr/a.jpg"),
        ("../secret.png", "", ""),
        ("../../secret.png", "docs", ""),
        ("/etc/a.png", "", ""),
        ("https://example.com/a.png", "", ""),
        ("file:///etc/a.png", "", ""),
        ("img\\..\\..\\a.png", "", ""),
        ("img/a.svg", "", ""),
        ("img/passwd", "", ""),
    ],
)
def test_only_raster_images_inside_the_library_have_a_path(
    src: str, base: str, expected: str
) -> None:
    assert local_image(ContentBlock("image", "alt", src), base) == expected


def test_images_are_served_only_from_the_library_folder(page_core: App, library: Library) -> None:
    pages = ModulePages(page_core.services)
    token = pages.token("basics", learner_id=None, now=T0)
    view = pages.open(token, now=T0)
    assert view.images == {"img/report.png"}
    data, mime = pages.image(token, "img/report.png", now=T0)
    assert (data, mime) == ((library.root / "img" / "report.png").read_bytes(), "image/png")
    for path in ("img/link.png", "../secret.png", "img/fake.png", str(library.secret), "basics.md"):
        with pytest.raises(ImageMissing):
            pages.image(token, path, now=T0)
    html = render_page(view, image_src=lambda p: f"IMG:{p}" if p in view.images else None)
    assert '<img src="IMG:img/report.png" alt="The report button"' in html
    assert "Image: Outside the library" in html
    assert "Image: A symlink out" in html
    assert "tracker.example.com" not in html


def test_an_image_of_a_refused_page_is_refused(page_core: App) -> None:
    pages = ModulePages(page_core.services)
    token = pages.token("basics", learner_id=None, now=T0)
    page_core.services.content.set_retired("basics", True)
    with pytest.raises(PageRefused):
        pages.image(token, "img/report.png", now=T0)


def test_image_types_by_content() -> None:
    assert image_type(png((1, 2, 3))) == "image/png"
    assert image_type(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert image_type(b"GIF89a...") == "image/gif"
    assert image_type(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert image_type(b"<svg onload=alert(1)>") is None
    assert image_type(b"") is None


def test_the_key_file_folder_is_owner_only(tmp_path: Path) -> None:
    settings = page_settings(tmp_path)
    signing_key(settings)
    assert not os.stat(settings.home).st_mode & 0o077


def test_a_repeated_anchor_is_an_id_once() -> None:
    from bot.features.module_page import PageView
    from content_index.page import PageSection

    paragraph = (ContentBlock("paragraph", "Text."),)
    view = PageView(
        module_id="m",
        title="Notes",
        summary="",
        minutes=1,
        media_url="",
        org_name="Org",
        sections=(
            PageSection("Notes", "notes", 1, paragraph),
            PageSection("Example", "example", 2, paragraph),
            PageSection("Example", "example", 2, paragraph),
        ),
    )
    html = render_page(view, image_src=lambda p: None)
    ids = [attrs["id"] for _, attrs in parse(html).tags if "id" in attrs]
    assert ids == ["notes", "example"]
    assert html.count(">Example</") == 2


class StandInPaths:
    """Paths whose plan is given."""

    def __init__(self, inputs: PathInputs) -> None:
        self._inputs = inputs
        self.asked: list[str] = []

    def catalogue(self) -> list:  # type: ignore[type-arg]
        return []

    def inputs(self, learner_id: str, *, now: datetime) -> PathInputs:
        self.asked.append(learner_id)
        return self._inputs


def test_a_personal_page_says_where_the_module_is_on_the_path(page_core: App) -> None:
    ann = learner(page_core, "ann")
    due = T0 + timedelta(days=9)
    use_features(page_core.services, paths=StandInPaths(PathInputs(None, [("basics", due)])))
    assert "not started · required on your path by 2 December 2026" in open_page(
        page_core, "basics", ann.id
    )
    nxt = StandInPaths(PathInputs(("basics", "Security basics", 1), []))
    use_features(page_core.services, paths=nxt)
    html = open_page(page_core, "basics", ann.id)
    assert "Your progress: not started · the next step on your path" in html
    assert "the next step" not in open_page(page_core, "big", ann.id)
    page_core.services.path_records.mark(ann.id, "basics", "done", now=T0)
    asked = len(nxt.asked)
    assert "Your progress: done</p>" in open_page(page_core, "basics", ann.id)
    assert len(nxt.asked) == asked, "a finished module needs no plan"
    assert "Your progress" not in open_page(page_core, "basics", None)
