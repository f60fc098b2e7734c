"""Question kinds and the sentence shapes that answer them."""

from __future__ import annotations

import pytest

from retrieval.cues import fits, question_kind


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("When do we get paid?", "when"),
        ("how many days of parental leave do I get?", "amount"),
        ("How much does the company put into my 401k?", "amount"),
        ("a customer says their stove leaked gas, who handles that?", "who"),
        ("Where are payslips?", "where"),
        ("How do I request leave?", "how"),
        ("what should I do if my laptop is stolen?", "how"),
        ("Can I accept a gift from a supplier?", "yesno"),
        ("what does it mean when a ticket is on hold?", None),
        ("hotel budget per night", None),
    ],
)
def test_question_kind(question: str, kind: str | None) -> None:
    assert question_kind(question) == kind


@pytest.mark.parametrize(
    ("kind", "sentence", "expected"),
    [
        ("when", "Northwind pays every other Friday by direct deposit.", True),
        ("when", "Payslips are kept in the HR system.", False),
        ("amount", "Full-time employees get 20 days of PTO a year.", True),
        ("amount", "Ask your manager about it.", False),
        ("who", "Refunds over $1,000 need the support manager's approval.", True),
        ("where", "Payslips are in Compass under Pay > Payslips.", True),
        ("how", "Open Compass and go to Time Off > New request.", True),
        ("yesno", "Gift cards are never allowed.", True),
        (None, "Anything at all.", False),
    ],
)
def test_fits(kind: str | None, sentence: str, expected: bool) -> None:
    assert fits(kind, sentence) is expected
