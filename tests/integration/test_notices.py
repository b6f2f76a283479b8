"""Public notice (公示) and confirmation (确认) of results, on the small bureau (tests/conftest.py):
given events → command → expected events or figures.

The notice's length is the plan's number of working days (R-PLAN-2) on the working-day calendar
(R-CAL-2); an objection during the notice is a dispute (R-DISPUTE-1) whatever the entry's own
window; after confirmation a correction (R-FIX-1) still works and shows as changed, with both
figures."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.application import commands as c
from ledger.clock import Clock
from ledger.domain.errors import DomainError
from projections.notice_board import NoticeBoard
from tests.conftest import LEADING, OFFICE, PARTY, SUPERVISION, Bureau

ENTRY = "P02:2026-01:monthly:1"


def _at(bureau: Bureau, day: date) -> None:
    bureau.service.ledger.clock = Clock(day)
    bureau.service.queries.clock = Clock(day)


def _refused(bureau: Bureau, actor, command: c.Command, code: str) -> DomainError:  # type: ignore[no-untyped-def]
    before = bureau.events()
    with pytest.raises(DomainError) as refused:
        bureau.run(actor, command)
    assert refused.value.code == code
    assert bureau.events() == before, "a refused command writes nothing"
    return refused.value


def _board(bureau: Bureau, scope: str) -> dict:
    return NoticeBoard(bureau.service.queries, bureau.service.annual).board(scope)


def _deduct_and_publish(bureau: Bureau) -> None:
    """Supervision deducts P02 (科员, 李秀兰) 15 points in January; the sheet is published on 2 Feb 2026;
    P02's democratic rate is 0.90; the target bonus base 8000 yuan, 50 yuan a point."""
    _at(bureau, date(2026, 2, 2))
    bureau.run(SUPERVISION, c.RecordDeduction(person="P02", points="15", basis="工作日午间饮酒", occurred_on=date(2026, 1, 12), form_no="JC-2026-007"))
    bureau.run(OFFICE, c.SubmitSheet(sheet="P02:2026-01:monthly"))
    bureau.run(OFFICE, c.PublishSheet(sheet="P02:2026-01:monthly"))
    bureau.run(OFFICE, c.RecordDemocraticRate(year=2026, person="P02", rate="0.90"))
    bureau.run(PARTY, c.SetTargetBonus(year=2026, bases={"科员": "8000"}, point_value="50"))


def test_the_notice_runs_at_least_five_working_days_counted_across_national_day__R_CAL_2_R_PLAN_2(bureau: Bureau) -> None:
    """Published Wednesday 30 September 2026. The working days after it: 1–7 October are the
    National Day holiday; Thu 8 (1), Fri 9 (2), Sat 10 — a 调休 working day (3), Mon 12 (4),
    Tue 13 (5). So the notice may end on 13 October at the earliest; 12 October is refused."""
    _at(bureau, date(2026, 9, 30))
    refused = _refused(bureau, OFFICE, c.PublishNotice(scope="2026", starts_on=date(2026, 9, 30), ends_on=date(2026, 10, 12)), "NOTICE_TOO_SHORT")
    assert refused.facts == {"field": "ends_on", "earliest_end": "2026-10-13", "working_days": 5}
    out = bureau.run(OFFICE, c.PublishNotice(scope="2026", starts_on=date(2026, 9, 30), ends_on=date(2026, 10, 13)))
    assert (out["earliest_end"], out["working_days"], out["late"]) == ("2026-10-13", 5, False)
    notice = bureau.service.queries.notice("2026")
    assert (notice["starts_on"], notice["ends_on"], notice["status"]) == ("2026-09-30", "2026-10-13", "noticed")
    _refused(bureau, OFFICE, c.PublishNotice(scope="2026", starts_on=date(2026, 10, 8), ends_on=date(2026, 10, 30)), "ALREADY_EXISTS")


def test_a_changed_plan_value_sets_the_notice_length__R_PLAN_2(bureau: Bureau) -> None:
    """With the annual notice changed to 7 working days: from Mon 2 November 2026, 3, 4, 5, 6, 9, 10,
    11 → 11 November is the earliest end."""
    _at(bureau, date(2026, 11, 2))
    bureau.run(LEADING, c.ChangePolicy(year=2026, key="notice_annual_working_days", value="7", reason="延长公示期", decision_ref="绩领〔2026〕9号", effective_from=date(2026, 11, 1)))
    refused = _refused(bureau, OFFICE, c.PublishNotice(scope="2026", starts_on=date(2026, 11, 2), ends_on=date(2026, 11, 10)), "NOTICE_TOO_SHORT")
    assert refused.facts["earliest_end"] == "2026-11-11"


def test_a_notice_cannot_start_in_the_past_nor_cover_a_month_never_assessed(bureau: Bureau) -> None:
    _at(bureau, date(2026, 9, 30))
    _refused(bureau, OFFICE, c.PublishNotice(scope="2026", starts_on=date(2026, 9, 29), ends_on=date(2026, 10, 30)), "NOTICE_START_IN_PAST")
    _refused(bureau, OFFICE, c.PublishNotice(scope="2026-07", starts_on=date(2026, 9, 30), ends_on=date(2026, 10, 30)), "PERIOD_NOT_OPEN")
    _refused(bureau, OFFICE, c.PublishNotice(scope="2027", starts_on=date(2026, 9, 30), ends_on=date(2026, 10, 30)), "PLAN_NOT_FOUND")
    _refused(bureau, SUPERVISION, c.PublishNotice(scope="2026", starts_on=date(2026, 9, 30), ends_on=date(2026, 10, 30)), "FORBIDDEN")


def test_an_objection_during_the_notice_is_a_dispute_and_holds_up_confirmation__R_DISPUTE_1(bureau: Bureau) -> None:
    """P02's January entry was published on 2 Feb; its own window closed on 9 Feb (five working
    days). In October it can no longer be disputed — until the year's results are noticed, from
    Thu 8 Oct: 9 (1), Sat 10 调休 (2), 12 (3), 13 (4), 14 (5) → ends 14 Oct. During the notice P02
    objects: the dispute is accepted, its window is the notice's end, and the leading group
    cannot confirm before the notice ends, nor while the objection is undecided."""
    _deduct_and_publish(bureau)
    _at(bureau, date(2026, 10, 8))
    _refused(bureau, bureau.staff_p02, c.FileDispute(entry_id=ENTRY, reason="当日为调休加班"), "DISPUTE_WINDOW_CLOSED")
    bureau.run(OFFICE, c.PublishNotice(scope="2026", starts_on=date(2026, 10, 8), ends_on=date(2026, 10, 14)))

    _at(bureau, date(2026, 10, 12))
    filed = bureau.run(bureau.staff_p02, c.FileDispute(entry_id=ENTRY, reason="当日为调休加班，午间未饮酒"))
    assert (filed["status"], filed["window_closes"], filed["during_notice"]) == ("filed", "2026-10-14", ["2026"])
    assert bureau.service.queries.notice("2026")["objections"] == [ENTRY]

    _refused(bureau, LEADING, c.ConfirmResults(scope="2026"), "NOTICE_NOT_ENDED")  # 12 Oct ≤ 14 Oct
    _at(bureau, date(2026, 10, 15))
    pending = _refused(bureau, LEADING, c.ConfirmResults(scope="2026"), "OBJECTIONS_PENDING")
    assert pending.facts["entries"] == [ENTRY]
    _refused(bureau, bureau.staff_p02, c.FileDispute(entry_id="P02:2026-01:monthly:9", reason="x"), "ENTRY_NOT_FOUND")

    bureau.run(SUPERVISION, c.ReviewDispute(entry_id=ENTRY, recommendation="uphold", findings="考勤记录显示当日正常上班"))
    bureau.run(LEADING, c.DecideDispute(entry_id=ENTRY, decision="uphold", reason="事实清楚", decision_ref="绩领〔2026〕12号"))
    confirmed = bureau.run(LEADING, c.ConfirmResults(scope="2026"))
    assert confirmed["confirmed_on"] == "2026-10-15"
    _refused(bureau, LEADING, c.ConfirmResults(scope="2026"), "ALREADY_CONFIRMED")
    _refused(bureau, OFFICE, c.ConfirmResults(scope="2026"), "FORBIDDEN")
    _refused(bureau, LEADING, c.ConfirmResults(scope="2026-02"), "NOTICE_NOT_FOUND")


def test_a_correction_after_confirmation_shows_as_changed_with_both_figures__R_FIX_1(bureau: Bureau) -> None:
    """Confirmed: P02's monthly mean (85 + 100 + 100) / 3 = 95.00% → 95 × 70% + 90 × 30% = 93.50 →
    良好; payout 8000 − 15 × 50 = 7250.00 yuan. After confirmation the leading group reverses the
    entry (R-FIX-1): mean 100% → 70 + 27 = 97.00 → 优秀, payout 8000.00. The public list keeps the
    confirmed grade and shows the new one beside it; the oversight's changes list every figure."""
    _deduct_and_publish(bureau)
    _at(bureau, date(2026, 10, 8))
    bureau.run(OFFICE, c.PublishNotice(scope="2026", starts_on=date(2026, 10, 8), ends_on=date(2026, 10, 14)))
    board = _board(bureau, "2026")
    assert board["stage_zh"] == "公示中"
    p02 = next(p for p in board["persons"] if p["person"] == "P02")
    assert (p02["name"], p02["unit_name"], p02["grade_zh"], p02["changed"]) == ("李秀兰", "城东分局", "良好", {})
    assert "payout_yuan" not in p02 and "annual_rate" not in p02, "the public list names grades, not payouts"

    _at(bureau, date(2026, 10, 15))
    assert _board(bureau, "2026")["stage_zh"] == "公示期满，待确认"
    bureau.run(LEADING, c.ConfirmResults(scope="2026"))
    assert _board(bureau, "2026")["stage_zh"] == "已确认"

    bureau.run(LEADING, c.ReverseEntry(entry_id=ENTRY, reason="复查发现事实不成立", decision_ref="绩领〔2026〕15号"))
    board = _board(bureau, "2026")
    p02 = next(p for p in board["persons"] if p["person"] == "P02")
    assert p02["grade_zh"] == "良好", "the list shows what was confirmed"
    # now 优秀 and, within the quota of 其他人员 (R-CS-2), also 优秀 as a civil servant (was 称职)
    assert p02["changed"] == {"grade_zh": {"then": "良好", "now": "优秀"}, "cs_grade_zh": {"then": "称职", "now": "优秀"}}
    assert board["changed_after_zh"] == "确认后"
    changes = NoticeBoard(bureau.service.queries, bureau.service.annual).changes("2026")
    (person,) = changes["persons"]
    assert person["person"] == "P02"
    assert person["changed"]["annual_rate"] == {"then": "93.50", "now": "97.00"}
    assert person["changed"]["payout_yuan"] == {"then": "7250.00", "now": "8000.00"}
    assert bureau.service.annual.year(2026)["persons_by_code"]["P02"]["grade"] == "excellent", "the correction counts"


def test_a_month_is_noticed_for_three_working_days_and_marked_late_after_the_third__R_CAL_3(bureau: Bureau) -> None:
    """January's results are due by 3 February (plan value). Noticed from Wed 4 Feb 2026: 3 working
    days → 5, 6, 9 → ends 9 Feb at the earliest; started after the 3rd, so marked late. The list
    names each person's January score: P02 100 − 15 = 85.00."""
    _deduct_and_publish(bureau)
    _at(bureau, date(2026, 2, 4))
    refused = _refused(bureau, OFFICE, c.PublishNotice(scope="2026-01", starts_on=date(2026, 2, 4), ends_on=date(2026, 2, 6)), "NOTICE_TOO_SHORT")
    assert refused.facts["earliest_end"] == "2026-02-09"
    out = bureau.run(OFFICE, c.PublishNotice(scope="2026-01", starts_on=date(2026, 2, 4), ends_on=date(2026, 2, 9)))
    assert out["late"] is True
    board = _board(bureau, "2026-01")
    p02 = next(p for p in board["persons"] if p["person"] == "P02")
    assert (p02["name"], p02["score"]) == ("李秀兰", "85.00")
