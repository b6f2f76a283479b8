"""Quarterly filing of the monthly record forms (月绩效考核备案表), R-CAL-3."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from eventsourcing.domain import Aggregate, event

from ledger.domain.roster import NAMESPACE


def filing_id(unit: str, quarter: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"filing:{unit}:{quarter}")


class RecordFiling(Aggregate):
    """A unit's filing for one quarter. Filed late is still filed, and marked late."""

    @classmethod
    def create_id(cls, unit: str, quarter: str, **_: Any) -> uuid.UUID:
        return filing_id(unit, quarter)

    @event("Filed")
    def __init__(self, unit: str, quarter: str, filed_on: date, deadline: date, late: bool, actor: dict[str, Any]) -> None:
        self.unit = unit
        self.quarter = quarter
