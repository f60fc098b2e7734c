"""Extractive answers and their citations; the confidence threshold."""

from __future__ import annotations

from content_index.model import ModuleMeta
from retrieval.answer import compose_extractive, embedding_relevance, format_citations
from retrieval.confidence import DEFAULT_CONFIDENCE_THRESHOLD, is_confident, top_dense_score
from retrieval.hybrid import Hit

from .conftest import HashingEmbedder

MODULES = {
    "travel": ModuleMeta(id="travel", title="Travel guide", source="pages/travel.md"),
    "leave": ModuleMeta(
        id="leave", title="Leave", source="pages/leave.md", url="https://handbook.example/leave"
    ),
}


def _hit(chunk_id: str, section: str, text: str, dense: float | None = 0.6) -> Hit:
    module_id = chunk_id.split("::")[0]
    anchor = section.lower().replace(" ", "-")
    return Hit(chunk_id, module_id, section, anchor, 1, 5, text, 0.03, dense, 2.0)


HITS = [
    _hit(
        "travel::1",
        "Vouchers",
        "Keep your receipts. File your travel voucher in Concur within five business days "
        "after the trip ends. Vouchers need approval from your supervisor.",
    ),
    _hit(
        "leave::0",
        "Sick leave",
        "Sick leave is requested in the payroll system. Tell your supervisor when you are ill.",
    ),
]


def test_picks_the_sentences_that_answer_and_cites_them() -> None:
    answer = compose_extractive(
        "When must I file my travel voucher?", HITS, modules=MODULES, max_sentences=2
    )
    assert answer.text.startswith("File your travel voucher in Concur within five business days")
    assert "[1]" in answer.text
    first = answer.citations[0]
    assert (first.number, first.title, first.section, first.link) == (
        1,
        "Travel guide",
        "Vouchers",
        "pages/travel.md#vouchers",
    )
    assert "Keep your receipts" not in answer.text  # too short and off-question


def test_each_cited_section_gets_its_own_number() -> None:
    answer = compose_extractive(
        "Who approves vouchers and sick leave?", HITS, modules=MODULES, max_sentences=3
    )
    assert [c.number for c in answer.citations] == [1, 2]
    assert answer.citations[1].link == "https://handbook.example/leave#sick-leave"
    assert "[2]" in answer.text
    assert answer.text.count("[") == 3


def test_embedding_scorer_picks_the_closest_sentence() -> None:
    answer = compose_extractive(
        "supervisor approval for vouchers",
        HITS,
        modules=MODULES,
        max_sentences=1,
        scorer=embedding_relevance(HashingEmbedder()),
    )
    assert answer.text == "Vouchers need approval from your supervisor. [1]"


def test_no_hits_give_an_empty_answer() -> None:
    answer = compose_extractive("Anything?", [], modules=MODULES)
    assert answer.text == ""
    assert answer.citations == ()


def test_unknown_module_falls_back_to_its_id() -> None:
    hit = _hit("ghost::0", "Intro", "The ghost module explains haunted onboarding steps well.")
    answer = compose_extractive("haunted onboarding", [hit], modules=MODULES)
    assert answer.citations[0].title == "ghost"
    assert format_citations(answer.citations) == "[1] ghost — Intro"


def test_format_citations_lists_title_section_and_link() -> None:
    answer = compose_extractive("travel voucher", HITS[:1], modules=MODULES)
    assert format_citations(answer.citations) == (
        "[1] Travel guide — Vouchers (pages/travel.md#vouchers)"
    )


def test_confidence_uses_the_best_dense_score() -> None:
    above = DEFAULT_CONFIDENCE_THRESHOLD + 0.01
    below = DEFAULT_CONFIDENCE_THRESHOLD - 0.01
    assert is_confident([_hit("a::0", "A", "x", dense=below), _hit("b::0", "B", "y", above)])
    assert not is_confident([_hit("a::0", "A", "x", dense=below)])
    assert not is_confident([_hit("a::0", "A", "x", dense=None)])
    assert not is_confident([])
    assert is_confident([_hit("a::0", "A", "x", dense=0.2)], threshold=0.2)
    assert top_dense_score([_hit("a::0", "A", "x", dense=None)]) == 0.0
