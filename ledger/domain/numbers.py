"""Exact numbers (精确计算): points and money are `Decimal` end to end, never binary floats."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Mapping

from ledger.domain.errors import InvalidPoints

HUNDRED = Decimal(100)
ZERO = Decimal(0)
CENT = Decimal("0.01")


# The one written form of a number the bureau's forms use: ASCII digits, at most one point, at
# most 4 places and 7 integer digits (money up to 9,999,999.99 yuan). No sign, exponent ("1e3"),
# underscore ("1_0"), surrounding space or other script's digits ("٣"): Decimal() and int()
# accept all of those, and a figure that decides a grade must mean exactly what was typed.
DECIMAL_TEXT = re.compile(r"(?:0|[1-9][0-9]{0,6})(?:\.[0-9]{1,4})?", re.ASCII)


def decimal_from_text(value: object, *, field: str, error: type[InvalidPoints] = InvalidPoints) -> Decimal:
    """A non-negative decimal from its plain written form (a string, or a small int)."""
    if isinstance(value, Decimal) and value.is_finite():
        return value
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**7:
        return Decimal(value)
    if not isinstance(value, str) or DECIMAL_TEXT.fullmatch(value) is None:
        raise error(
            f"{field} must be written with ASCII digits and at most one '.', e.g. \"0.5\": {str(value)[:40]!r}",
            f"{field} 须用半角数字书写，最多一个小数点，例如“0.5”：{str(value)[:40]!r}",
            field=field,
        )
    return Decimal(value)


def parse_points(value: object, *, field: str = "points") -> Decimal:
    """R-SHEET-4: a positive decimal with at most two places (`0.5`, `2`, `1.25`).

    Accepts a string or an int (JSON numbers arrive as strings from the API schema, so
    no float ever reaches here). Anything else, zero, negative, or a third decimal place
    is refused rather than rounded: a deduction is a fact, not an estimate.
    """
    d = decimal_from_text(value, field=field)
    if d <= 0:
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


def policy_number(policy: Mapping[str, str], key: str) -> Decimal:
    """A number of the year's plan (R-PLAN-2: weights, thresholds, the cap), kept as text in the
    plan and read exactly. The same few strings are read for every person of a year's results,
    so their Decimals are kept (a bounded cache: the plan has a few dozen numbers)."""
    return _decimal_of(policy[key])


@lru_cache(maxsize=256)
def _decimal_of(text: str) -> Decimal:
    return Decimal(text)
