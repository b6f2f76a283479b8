"""The Dispute aggregate (申诉) on its own, no I/O: R-DISPUTE-1's steps file → review → decide.

The supervision office reviews (纪检审查) and recommends; the leading group decides, only after the
review; the decision is final. Each out-of-order step is refused with DISPUTE_STATE_INVALID and
emits nothing. (Who may file and the 5-working-day window need the roster and calendar: they are
checked in the application, tests/integration/test_disputes.py.)
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ledger.domain.actors import Actor, Role
from ledger.domain.dispute import Decision, Dispute, DisputeStatus, dispute_id
from ledger.domain.errors import DomainError

STAFF = Actor("staff-p03", Role.STAFF, person="P03").stamp()
SUPERVISION = Actor("supervision", Role.SUPERVISION).stamp()
LEADING = Actor("leading", Role.LEADING_GROUP).stamp()
ENTRY = "P03:2026-02:monthly:1"


def file_dispute() -> Dispute:
    return Dispute(
        entry_id=ENTRY, sheet="P03:2026-02:monthly", target="P03", year=2026, reason="当日在外执法，非迟到",
        filed_on=date(2026, 3, 4), window_closes=date(2026, 3, 9), actor=STAFF,
    )  # fmt: skip


def given_filed() -> Dispute:
    dispute = file_dispute()
    dispute.collect_events()
    return dispute


def given_reviewed(recommendation: Decision = Decision.REVERSE) -> Dispute:
    dispute = given_filed()
    dispute.review(recommendation, "经查属实", SUPERVISION)
    dispute.collect_events()
    return dispute


def given_decided() -> Dispute:
    dispute = given_reviewed()
    dispute.decide(Decision.REVERSE, "情况属实", "绩领〔2026〕5号", None, LEADING)
    dispute.collect_events()
    return dispute


def refused_with(code: str, dispute: Dispute, command: Any, *args: Any, **kwargs: Any) -> DomainError:
    """The step raises the domain error `code`, emits nothing and leaves the status alone."""
    status, version = dispute.status, dispute.version
    with pytest.raises(DomainError) as error:
        command(*args, **kwargs)
    assert error.value.code == code
    assert dispute.collect_events() == []
    assert (dispute.status, dispute.version) == (status, version)
    return error.value


def test_filing_a_dispute_records_filed__R_DISPUTE_1() -> None:
    """When the affected person files, then one `Filed` event holds the facts and the dispute is
    filed, found by the disputed entry's id."""
    dispute = file_dispute()
    [event] = dispute.collect_events()
    assert (type(event).__name__, event.entry_id, event.target, event.filed_on, event.window_closes, event.actor) == (
        "Filed", ENTRY, "P03", date(2026, 3, 4), date(2026, 3, 9), STAFF,
    )  # fmt: skip
    assert (dispute.status, dispute.recommendation) == (DisputeStatus.FILED.value, None)
    assert dispute.id == dispute_id(ENTRY)  # one dispute per entry


def test_the_supervision_office_reviews_a_filed_dispute__R_DISPUTE_1() -> None:
    dispute = given_filed()
    dispute.review(Decision.AMEND, "扣分过重，建议改为0.5分", SUPERVISION)
    [event] = dispute.collect_events()
    assert (type(event).__name__, event.recommendation, event.findings, event.actor) == ("Reviewed", "amend", "扣分过重，建议改为0.5分", SUPERVISION)
    assert (dispute.status, dispute.recommendation) == ("reviewed", "amend")


def test_a_review_without_findings_is_refused__R_DISPUTE_1() -> None:
    dispute = given_filed()
    error = refused_with("INVALID_INPUT", dispute, dispute.review, Decision.UPHOLD, "   ", SUPERVISION)
    assert error.facts == {"field": "findings"}


def test_a_dispute_is_reviewed_once__R_DISPUTE_1() -> None:
    dispute = given_reviewed(Decision.REVERSE)
    error = refused_with("DISPUTE_STATE_INVALID", dispute, dispute.review, Decision.UPHOLD, "再审", SUPERVISION)
    assert error.facts == {"dispute": ENTRY, "status": "reviewed"}
    assert dispute.recommendation == "reverse"  # the first recommendation stands


@pytest.mark.parametrize("decision", [Decision.UPHOLD, Decision.REVERSE, Decision.AMEND])
def test_the_leading_group_decides_a_reviewed_dispute__R_DISPUTE_1(decision: Decision) -> None:
    """The leading group may decide otherwise than recommended: it holds the decision."""
    dispute = given_reviewed(Decision.UPHOLD)
    replacement = "P03:2026-02:monthly:2" if decision is Decision.AMEND else None
    dispute.decide(decision, "经研究决定", "绩领〔2026〕5号", replacement, LEADING)
    [event] = dispute.collect_events()
    assert (type(event).__name__, event.decision, event.decision_ref, event.replacement, event.actor) == ("Decided", decision.value, "绩领〔2026〕5号", replacement, LEADING)
    assert dispute.status == "decided"


def test_a_dispute_cannot_be_decided_before_it_is_reviewed__R_DISPUTE_1() -> None:
    dispute = given_filed()
    error = refused_with("DISPUTE_STATE_INVALID", dispute, dispute.decide, Decision.REVERSE, "直接撤销", "绩领〔2026〕5号", None, LEADING)
    assert error.facts == {"dispute": ENTRY, "status": "filed"}
    refused_with("DISPUTE_STATE_INVALID", dispute, dispute.check_decidable)


def test_a_decision_is_final__R_DISPUTE_1() -> None:
    """Once decided, neither a second decision nor a late review is accepted."""
    dispute = given_decided()
    refused_with("DISPUTE_STATE_INVALID", dispute, dispute.decide, Decision.UPHOLD, "改判", "绩领〔2026〕6号", None, LEADING)
    refused_with("DISPUTE_STATE_INVALID", dispute, dispute.review, Decision.UPHOLD, "补充审查", SUPERVISION)
    assert dispute.status == "decided"
