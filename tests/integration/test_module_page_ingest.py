"""Ingest stores each module's page with its library folder, so the page can show its images."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update

from bot.features.library import Library
from bot.features.module_page import ModulePages
from bot.storage.tables import lesson_cards
from tests.adapters.page.conftest import png
from tests.conftest import T0

pytestmark = pytest.mark.slow

GUIDE = """---
id: hr/guide
title: The HR guide
---
# The HR guide

## Forms

Fill in the form below.

![The form](../../img/form.png)

![Not in the library](../../../outside.png)
"""


def test_a_page_keeps_its_library_folder_and_images(library_core, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "library"
    (root / "docs" / "hr").mkdir(parents=True)
    (root / "img").mkdir()
    (root / "img" / "form.png").write_bytes(png((10, 120, 30)))
    (tmp_path / "outside.png").write_bytes(png((0, 0, 0)))
    (root / "docs" / "hr" / "guide.md").write_text(GUIDE, encoding="utf-8")
    library: Library = library_core.services.library.get()
    assert library.ingest([root]).ingested == 1

    page = library_core.services.lessons.page("hr/guide")
    assert page is not None
    assert page.folder == str(root.absolute())
    assert page.base == "docs/hr"
    assert page.images() == ("img/form.png",)
    pages = ModulePages(library_core.services)
    token = pages.token("hr/guide", learner_id=None, now=T0)
    data, mime = pages.image(token, "img/form.png", now=T0)
    assert (data, mime) == ((root / "img" / "form.png").read_bytes(), "image/png")

    # A module stored before pages existed gets its page at the next ingest, unchanged.
    cards = [{"n": 1, "kind": "text", "text": "old", "chars": 3}]
    with library_core.services.engine.begin() as conn:
        conn.execute(
            update(lesson_cards).where(lesson_cards.c.module_id == "hr/guide").values(cards=cards)
        )
    assert library_core.services.lessons.page("hr/guide") is None
    report = library.ingest([root])
    assert (report.ingested, report.skipped) == (0, 1)
    again = library_core.services.lessons.page("hr/guide")
    assert again == page


def test_an_uploaded_document_has_no_library_folder(library_core) -> None:  # type: ignore[no-untyped-def]
    library: Library = library_core.services.library.get()
    library.ingest_upload("guide.md", GUIDE.encode())
    page = library_core.services.lessons.page("hr/guide")
    assert page is not None
    assert page.folder == ""
    assert page.images() == ()
    view = ModulePages(library_core.services).view(
        library_core.services.content.get("hr/guide"),
        learner=None,  # type: ignore[arg-type]
    )
    assert view.images == frozenset()
    assert [s.title for s in view.sections] == ["The HR guide", "Forms"]
