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
    vouchers = _hit("travel::1", "Vouchers", "Your supervisor approves vouchers.")
    approvals = _hit(
        "travel::2", "Approvals", "Your supervisor approves travel vouchers in a week.", 0.9
    )
    answer = compose_extractive("Who approves vouchers?", [vouchers, approvals], modules=MODULES)
    assert [(c.number, c.section) for c in answer.citations] == [
        (1, "Vouchers"),
        (2, "Approvals"),
    ]
    assert answer.text == (
        "Your supervisor approves vouchers. [1] "
        "Your supervisor approves travel vouchers in a week. [2]"
    )


def test_other_modules_are_left_to_the_related_list() -> None:
    answer = compose_extractive("Who approves vouchers and sick leave?", HITS, modules=MODULES)
    assert [c.module_id for c in answer.citations] == ["travel"]
    assert answer.text.startswith("Vouchers need approval from your supervisor. [1]")
    assert "Sick leave" not in answer.text


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


PAY = _hit(
    "first-week::7",
    "Pay, probation and check-ins",
    "Northwind pays **every other Friday** by direct deposit. If you start in the middle of a "
    "pay period, your first payslip covers only the days you worked. Everyone has a "
    "**90-day probation period**.",
)
OTHER_LEAVE = _hit(
    "leave::3",
    "Other leave",
    "Type | Allowance\nBereavement, immediate family | 5 paid days\n"
    "Jury duty | Paid for up to 10 days",
)


def test_the_sentence_of_the_asked_kind_leads_and_is_quoted_without_markup() -> None:
    answer = compose_extractive("When do we get paid?", [OTHER_LEAVE, PAY], modules=MODULES)
    assert answer.text.startswith("Northwind pays every other Friday by direct deposit. [1]")
    assert answer.citations[0].section == "Pay, probation and check-ins"
    assert "Bereavement" not in answer.text, "a weaker row of another section does not pad it"


def test_table_rows_are_answers_of_their_own_and_headers_are_not() -> None:
    answer = compose_extractive("How many days for jury duty?", [OTHER_LEAVE], modules=MODULES)
    assert answer.text.startswith("Jury duty | Paid for up to 10 days [1]")
    assert "Allowance" not in answer.text


def test_answers_stay_short() -> None:
    long = " ".join(["The travel voucher rules say many things about receipts."] * 30)
    answer = compose_extractive(
        "travel voucher receipts", [_hit("travel::9", "V", long)], modules=MODULES
    )
    assert len(answer.text) <= 600 + len(" [1]") * 3
