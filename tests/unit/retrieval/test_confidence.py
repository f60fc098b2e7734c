"""The evidence for answering and the answer/refuse decision."""

from __future__ import annotations

from dataclasses import replace

import pytest

from content_index.model import ModuleMeta
from retrieval.confidence import (
    ANSWER_CUT,
    Evidence,
    answer_probability,
    gather_evidence,
    should_answer,
)
from retrieval.hybrid import Hit

MODULES = {
    "pay": ModuleMeta(id="pay", title="Pay and payslips", source="pay.md"),
    "leave": ModuleMeta(id="leave", title="Leave", source="leave.md"),
}


def _hit(module: str, text: str, score: float, dense: float | None, lexical: float | None) -> Hit:
    return Hit(f"{module}::0", module, "Pay day", "pay-day", 1, 2, text, score, dense, lexical)


PAY = _hit("pay", "Northwind pays every other Friday by direct deposit.", 0.06, 0.6, 4.0)
LEAVE = _hit("leave", "Sick leave is separate from holidays.", 0.03, 0.4, 1.0)
STRONG = Evidence(
    top_dense=0.7, agreement=1.0, margin=0.3, coverage=1.0, answer_fit=1.5, unknown_share=0.0
)


def test_evidence_of_a_clear_match() -> None:
    evidence = gather_evidence("When do we get paid?", [PAY, LEAVE], modules=MODULES)
    assert evidence.top_dense == pytest.approx(0.6)
    assert evidence.agreement == 1.0
    assert evidence.margin == pytest.approx(0.5)
    assert evidence.coverage == 1.0
    assert evidence.answer_fit > 1.0
    assert not evidence.live_data


def test_dense_and_lexical_disagreeing_is_seen() -> None:
    lexical_first = replace(LEAVE, lexical_score=9.0)
    evidence = gather_evidence("When do we get paid?", [PAY, lexical_first], modules=MODULES)
    assert evidence.agreement == 0.0


def test_a_missing_distinctive_word_weighs_more_than_a_common_one() -> None:
    question = "When is the pay party?"
    plain = gather_evidence(question, [PAY], modules=MODULES)
    weighted = gather_evidence(
        question, [PAY], modules=MODULES, term_weights={"pay": 1.0, "party": 5.0}
    )
    assert plain.coverage == pytest.approx(0.5)
    assert weighted.coverage == pytest.approx(1 / 6)


def test_more_evidence_means_a_higher_probability() -> None:
    weaker = replace(STRONG, coverage=0.2, agreement=0.0, answer_fit=0.6)
    assert answer_probability(STRONG) > ANSWER_CUT > answer_probability(weaker)
    assert should_answer(STRONG)
    assert not should_answer(weaker)


@pytest.mark.parametrize(
    "change",
    [
        {"top_dense": 0.3},  # below the cosine floor
        {"top_dense": 0.5, "unknown_share": 0.5},  # unknown words need a strong match
        {"top_dense": 0.5, "live_data": True},  # "the stock price today"
    ],
)
def test_hard_rules_refuse_whatever_the_model_says(change: dict[str, object]) -> None:
    assert not should_answer(replace(STRONG, **change))  # type: ignore[arg-type]


def test_live_data_questions_are_recognised() -> None:
    evidence = gather_evidence("What is the pay rate today?", [PAY], modules=MODULES)
    assert evidence.live_data


def test_the_shape_of_the_answer_and_its_module_are_measured() -> None:
    evidence = gather_evidence("When do we get paid?", [PAY, LEAVE], modules=MODULES)
    assert evidence.cue_fit == 1.0, "a day answers a 'when' question"
    assert evidence.lead == 1.0, "the answer comes from the first module"
    assert evidence.dense_margin == pytest.approx(0.2)
    # The first hit (leave) has nothing on pay: the answering sentence comes from another
    # module, and a "how much" question answered without a number does not fit.
    leave_first = replace(LEAVE, score=0.09, dense_score=0.5)
    question = "How much is paid by direct deposit?"
    evidence = gather_evidence(question, [leave_first, PAY], modules=MODULES)
    assert evidence.lead == 0.0
    assert evidence.cue_fit == 0.0
    assert evidence.dense_margin == pytest.approx(-0.1)


def test_an_answer_from_another_module_than_the_first_weighs_less() -> None:
    assert answer_probability(replace(STRONG, lead=0.0)) < answer_probability(STRONG)
    assert answer_probability(replace(STRONG, cue_fit=0.0)) < answer_probability(STRONG)
