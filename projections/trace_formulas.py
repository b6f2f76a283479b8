"""How a trace writes out a rule of `ledger.domain.annual` with its figures (公式展示). The rules'
shapes come from the domain — the weighted terms of R-UNIT-1/2 and R-STAFF-2, the thresholds of
R-STAFF-3 — so the text shown is the rule the figure was computed by, never a second copy of it."""

from __future__ import annotations

from decimal import Decimal
from typing import Sequence

from ledger.domain.annual import Grade, Term, weighted_score
from ledger.domain.numbers import fmt


def weighted_working(terms: Sequence[Term], bonus: Decimal) -> str:
    """'(monthly mean rate × 0.7 + democratic rate × 0.3) × 100 + bonus = (0.95 × 0.7 + 0.95 × 0.3)
    × 100 + 0.00 = 95.0000'."""
    named = " + ".join(f"{t.name} × {fmt(t.weight)}" for t in terms)
    figures = " + ".join(f"{fmt(t.rate)} × {fmt(t.weight)}" for t in terms)
    return f"({named}) × 100 + bonus = ({figures}) × 100 + {fmt(bonus)} = {fmt(weighted_score(terms, bonus))}"


def rounded(exact: Decimal | None, official: Decimal | None) -> str:
    return "" if exact is None or official is None else f" → {fmt(official)} (half-up, 2 places)"


def thresholds_text(thresholds: Sequence[tuple[Grade, Decimal]]) -> str:
    """R-STAFF-3: 'rate ≥ 95 excellent; ≥ 80 good; ≥ 60 fair; else poor'."""
    parts = [f"≥ {fmt(lowest)} {grade.value}" for grade, lowest in thresholds]
    return "rate " + "; ".join(parts) + f"; else {Grade.POOR.value}"


def missing_text(what: str) -> str:
    return f"not computed yet: {what} missing"
