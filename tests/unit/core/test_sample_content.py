"""The sample library's modules, quiz bank and evaluation questions load with the real parsers."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bot.features.imports import load_framework_file
from bot.sample import sample_dir
from content_index import ModuleMeta, parse_document
from learning.formats import BankParseResult, parse_yaml
from learning.framework import Framework

SAMPLE = sample_dir()
CONTENT = SAMPLE / "content"
MAX_BYTES = 1024 * 1024
REQUIRED_MODULES = {
    "compliance/code-of-conduct",
    "compliance/data-privacy",
    "compliance/workplace-safety",
}
MIN_ITEMS = 50
MIN_ITEMS_PER_COMPETENCY = 8


def module_files() -> list[Path]:
    return sorted(CONTENT.rglob("*.md"))


@pytest.fixture(scope="module")
def framework() -> Framework:
    """The sample competency framework."""
    return load_framework_file(SAMPLE / "framework.yaml")


@pytest.fixture(scope="module")
def competencies(framework: Framework) -> set[str]:
    """The competency ids of the sample framework."""
    return {c.id for c in framework.competencies}


@pytest.fixture(scope="module")
def modules() -> dict[str, ModuleMeta]:
    """Every sample module's metadata, by module id."""
    metas: dict[str, ModuleMeta] = {}
    for path in module_files():
        source = path.relative_to(CONTENT).as_posix()
        parsed = parse_document(
            path.read_bytes(), source=source, filename=path.name, max_bytes=MAX_BYTES
        )
        assert parsed.meta.id not in metas, f"{source}: duplicate module id {parsed.meta.id}"
        metas[parsed.meta.id] = parsed.meta
    return metas


@pytest.fixture(scope="module")
def bank(competencies: set[str]) -> BankParseResult:
    """The sample quiz bank, parsed with the known competencies."""
    path = SAMPLE / "quiz-bank.yaml"
    return parse_yaml(
        path.read_text(encoding="utf-8"),
        filename=path.name,
        known_competencies=frozenset(competencies),
    )


def test_the_library_has_modules_in_every_competency_folder() -> None:
    folders = {path.parent.name for path in module_files()}
    expected = {"workplace-basics", "security", "internal-tools", "compliance", "customer-support"}
    assert folders == expected


@pytest.mark.parametrize("path", module_files(), ids=lambda p: p.relative_to(CONTENT).as_posix())
def test_module_parses_with_every_field_given(path: Path, competencies: set[str]) -> None:
    source = path.relative_to(CONTENT).as_posix()
    parsed = parse_document(
        path.read_bytes(), source=source, filename=path.name, max_bytes=MAX_BYTES
    )
    meta = parsed.meta
    assert meta.inferred == (), f"{source}: inferred {meta.inferred}"
    assert meta.id == source.removesuffix(".md")
    assert meta.competencies, f"{source}: no competencies"
    assert set(meta.competencies) <= competencies, f"{source}: unknown {meta.competencies}"
    assert parsed.warnings == ()
    assert any(section.level == 2 for section in parsed.sections), f"{source}: no sections"


def test_prerequisites_exist_and_form_no_cycle(modules: dict[str, ModuleMeta]) -> None:
    unknown = {
        (meta.id, prerequisite)
        for meta in modules.values()
        for prerequisite in meta.prerequisites
        if prerequisite not in modules
    }
    assert unknown == set()
    finished: set[str] = set()

    def visit(module_id: str, trail: tuple[str, ...]) -> None:
        assert module_id not in trail, f"prerequisite cycle: {' -> '.join((*trail, module_id))}"
        if module_id in finished:
            return
        for prerequisite in modules[module_id].prerequisites:
            visit(prerequisite, (*trail, module_id))
        finished.add(module_id)

    for module_id in modules:
        visit(module_id, ())


def test_the_modules_roles_require_exist(
    framework: Framework, modules: dict[str, ModuleMeta]
) -> None:
    required = {r.module for role in framework.roles for r in role.required_modules}
    assert required == REQUIRED_MODULES
    assert required - modules.keys() == set()


def test_the_quiz_bank_imports_cleanly(bank: BankParseResult) -> None:
    assert bank.errors == ()
    assert bank.skipped == ()
    assert len(bank.items) >= MIN_ITEMS


def test_every_quiz_item_names_an_existing_module(
    bank: BankParseResult, modules: dict[str, ModuleMeta]
) -> None:
    orphans = {item.id: item.module_id for item in bank.items if item.module_id not in modules}
    assert orphans == {}


def test_every_competency_has_enough_quiz_items(
    bank: BankParseResult, competencies: set[str]
) -> None:
    counts = Counter(item.competency for item in bank.items)
    short = {c: counts[c] for c in competencies if counts[c] < MIN_ITEMS_PER_COMPETENCY}
    assert short == {}


def test_evaluation_questions_name_existing_files() -> None:
    lines = (SAMPLE / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line) for line in lines if line.strip()]
    assert questions
    for entry in questions:
        assert entry["question"].strip()
        assert entry["gold"], f"no gold file for {entry['question']!r}"
        missing = [gold for gold in entry["gold"] if not (CONTENT / gold).is_file()]
        assert missing == [], f"{entry['question']!r}: missing {missing}"


def test_unanswerable_questions_are_listed() -> None:
    lines = (SAMPLE / "unanswerable.txt").read_text(encoding="utf-8").splitlines()
    assert len([line for line in lines if line.strip()]) >= 5
