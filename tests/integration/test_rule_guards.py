"""Guards for rules the rest of the suite let slip: each test here fails if the rule it names is
broken in the way its docstring says (checked by applying that change by hand), through the real
application and SQLite store (tests/conftest.py's small bureau)."""

from __future__ import annotations

from datetime import date

from ledger.application import commands as c
from tests.conftest import LEADING, OFFICE, Bureau


def test_amending_a_missed_deduction_finding_redoubles_the_head_at_the_new_points__R_CASCADE_2_R_FIX_1(bureau: Bureau) -> None:
    """Given a finding that P03 (of B01, headed by P01) should have lost 1.5 on 15 January, found
    on 20 February, when the leading group amends the finding to 0.5, then P03's January sheet and
    the head's February sheet count only the replacements: the head's at 2 × 0.5, not 1 × 0.5.

    Guards `amend_entry`'s MISSED_FINDING branch (`points * 2`): with `points` alone the head
    would show 99.50 and an entry of 0.50."""
    found = bureau.run(OFFICE, c.RecordMissedDeduction(person="P03", points="1.5", basis="执法记录仪未使用", occurred_on=date(2026, 1, 15), found_on=date(2026, 2, 20)))
    # before: P03 100 − 1.5 = 98.50; head P01 100 − 2 × 1.5 = 97.00
    assert (bureau.sheet("P03:2026-01:monthly")["score"], bureau.sheet("P01:2026-02:monthly")["score"]) == ("98.50", "97.00")

    amended = bureau.run(LEADING, c.AmendEntry(entry_id=found["entry_id"], points="0.5", reason="口径有误", decision_ref="绩领〔2026〕4号"))

    # after: P03 100 − 0.5 = 99.50; head P01 100 − 2 × 0.5 = 99.00 (the 3.00 double is reversed)
    assert bureau.sheet("P03:2026-01:monthly")["score"] == "99.50"
    assert bureau.sheet("P01:2026-02:monthly")["score"] == "99.00"
    assert amended["reversed"] == [found["entry_id"], found["head_entry_id"]]
    [new_double_id] = amended["cascaded"]
    new_double = bureau.service.queries.entry(new_double_id)
    assert (new_double["points"], new_double["source"], new_double["cascaded_from"], new_double["amends"]) == ("1.00", "missed_double", amended["entry_id"], found["head_entry_id"])
    assert new_double_id.startswith("P01:2026-02:monthly:")  # still the head's sheet for the month of the finding
    old_double = bureau.service.queries.entry(found["head_entry_id"])
    assert (old_double["points"], old_double["status"]) == ("3.00", "reversed")
    replacement = bureau.service.queries.entry(amended["entry_id"])
    assert (replacement["points"], replacement["cascaded_to"], replacement["amends"]) == ("0.50", [new_double_id], found["entry_id"])


def test_amending_a_finding_on_the_head_himself_redoubles_on_the_same_sheet__R_CASCADE_2_R_FIX_1(bureau: Bureau) -> None:
    """The head can be the person found: P01 (head of B01) should have lost 1.5 on 3 February,
    found on 20 February, so the finding and its double land on the same sheet, P01 February:
    100 − (1.5 + 2 × 1.5) = 95.50. Amended to 0.5: 100 − (0.5 + 2 × 0.5) = 98.50 (1 × would give 99.00)."""
    found = bureau.run(OFFICE, c.RecordMissedDeduction(person="P01", points="1.5", basis="未按规定着装", occurred_on=date(2026, 2, 3), found_on=date(2026, 2, 20)))
    assert (found["head"], bureau.sheet("P01:2026-02:monthly")["score"]) == ("P01", "95.50")

    amended = bureau.run(LEADING, c.AmendEntry(entry_id=found["entry_id"], points="0.5", reason="口径有误", decision_ref="绩领〔2026〕4号"))

    assert bureau.sheet("P01:2026-02:monthly")["score"] == "98.50"
    [new_double_id] = amended["cascaded"]
    assert bureau.service.queries.entry(new_double_id)["points"] == "1.00"
    ledger = bureau.service.queries.ledger("P01", 2026)
    assert sorted((e["source"], e["points"], e["status"]) for e in ledger["entries"]) == [
        ("missed_double", "1.00", "active"),
        ("missed_double", "3.00", "reversed"),
        ("missed_finding", "0.50", "active"),
        ("missed_finding", "1.50", "amended"),
    ]
