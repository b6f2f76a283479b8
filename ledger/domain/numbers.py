"""Exact numbers (精确计算): points and money are `Decimal` end to end, never binary floats."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ledger.domain.errors import InvalidPoints

HUNDRED = Decimal(100)
ZERO = Decimal(0)
CENT = Decimal("0.01")


def parse_points(value: object, *, field: str = "points") -> Decimal:
    """R-SHEET-4: a positive decimal with at most two places (`0.5`, `2`, `1.25`).

    Accepts a string or an int (JSON numbers arrive as strings from the API schema, so
    no float ever reaches here). Anything else, zero, negative, or a third decimal place
    is refused rather than rounded: a deduction is a fact, not an estimate.
    """
    if isinstance(value, bool) or isinstance(value, float):
        raise InvalidPoints(f"{field} must be given as a decimal string, not {type(value).__name__}", field=field)
    try:
        d = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise InvalidPoints(f"{field} is not a decimal number: {value!r}", field=field) from None
    if not d.is_finite() or d <= 0:
        raise InvalidPoints(f"{field} must be positive: {value!r}", field=field)
    if d != d.quantize(CENT):
        raise InvalidPoints(f"{field} has more than two decimal places: {value!r}", field=field)
    if d > HUNDRED:
        raise InvalidPoints(f"{field} exceeds the 100-point scale: {value!r}", field=field)
    # Canonical two-place form, so "0.5" and "0.50" are one value in every projection.
    return d.quantize(CENT)


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    """Round half-up (四舍五入) to `places` decimals: RULES.md §5 rounds official figures this way."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def fmt(value: Decimal) -> str:
    """A Decimal as the plain string stored in projections and sent over the API."""
    return format(value, "f")
