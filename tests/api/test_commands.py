"""Every command endpoint over HTTP: the right role gets 201 and its result, and the live figures
read back over GET change accordingly (R-SHEET-1, R-CASCADE-1/2, R-SUP-1, R-FIX-1, R-SHEET-3).

The store is the small bureau of tests/conftest.py: branches B01 (head P01, staff P02-P04) and
B02 (head P05); departments D01 (P08, P09) and D02 (P10, P11); 2026-Q1 key items K1 60 / K2 40;
months 2026-01..03 with items M1 50 / M2 50; assessor P09 on the panel for B01 only.
"""

from __future__ import annotations

from typing import Any

import pytest

from api.routes.commands import ROUTES
from ledger.domain.actors import Role

# One schema-valid body per command path. Each is also a body the right role can run on the
# small bureau (the role matrix below only needs the shape; the tests below run them for real).
BODIES: dict[str, dict[str, Any]] = {
    "/units": {"code": "B03", "name": "城南分局", "kind": "branch", "registered_on": "2026-04-01"},
    "/units/heads": {"unit": "B02", "person": "P06", "effective_from": "2026-07-01"},
    "/persons": {"code": "P12", "name": "孙悦", "gender": "female", "birth_date": "1998-03-03", "unit": "B01", "joined_on": "2026-03-15"},
    "/persons/transfers": {"person": "P03", "unit": "B02", "effective_from": "2026-04-01"},
    "/persons/positions": {"person": "P03", "tier": "middle_deputy", "position_grade": "副科级"},
    "/persons/authority": {"person": "P04", "in_authority": False},
    "/persons/departures": {"person": "P07", "left_on": "2026-06-30"},
    "/plans": {"year": 2027},
    "/plans/policy-changes": {
        "year": 2026, "key": "dispute_window_working_days", "value": "7", "reason": "申诉期延长",
        "decision_ref": "绩领〔2026〕2号", "effective_from": "2026-03-01",
    },  # fmt: skip
    "/periods": {"period": "2026-04", "items": {"monthly": [{"code": "M1", "title": "工作纪律", "points_max": "100"}]}},
    "/sheets": {"target": "P12", "period": "2026-03", "track": "monthly"},
    "/sheets/submissions": {"sheet": "P02:2026-01:monthly"},
    "/sheets/publications": {"sheet": "P02:2026-01:monthly"},
    "/sheets/reopenings": {"sheet": "P02:2026-01:monthly", "reason": "漏登扣分", "decision_ref": "绩领〔2026〕4号"},
    "/deductions": {"person": "P02", "points": "1.5", "item": "M1", "basis": "上班迟到", "occurred_on": "2026-01-12"},
    "/missed-deductions": {"person": "P03", "points": "1.5", "basis": "执法记录仪未按规定使用", "occurred_on": "2026-01-10", "found_on": "2026-03-05"},
    "/reversals": {"entry_id": "P02:2026-01:monthly:1", "reason": "误扣", "decision_ref": "绩领〔2026〕3号"},
    "/amendments": {"entry_id": "P02:2026-01:monthly:1", "points": "1", "reason": "改扣1分", "decision_ref": "绩领〔2026〕5号"},
    "/bonus-items": {"year": 2026, "code": "U1", "title": "受市级以上表彰", "points": "3", "requirement": "commendation", "applies_to": "unit"},
    "/bonus-claims": {
        "year": 2026, "unit": "B01", "item": "U1", "basis": "市政府表彰", "basis_ref": "市政府〔2026〕12号", "earned_on": "2026-05-08",
        "document_dated": "2026-05-20", "evidence": [{"kind": "official_document", "ref": "市政府〔2026〕12号"}],
    },  # fmt: skip
    "/bonus-claims/approvals": {"target": "B01", "basis_ref": "市政府〔2026〕12号"},
    "/bonus-claims/rejections": {"target": "B01", "basis_ref": "市政府〔2026〕12号", "reason": "非原件"},
    "/vetoes": {
        "code": "FJ-1", "year": 2026, "unit": "B02", "kind": "unlawful_act", "persons": ["P06"], "occurred_on": "2026-03-01",
        "reason": "行政处罚决定被撤销", "decision_ref": "绩领〔2026〕8号",
    },  # fmt: skip
    "/vetoes/lifts": {"code": "FJ-1", "reason": "上级机关认定免责", "decision_ref": "绩领〔2026〕9号"},
    "/evaluations/democratic": {"year": 2026, "person": "P02", "rate": "0.9650"},
    "/evaluations/grassroots": {"year": 2026, "unit": "D01", "rate": "0.9300"},
    "/evaluations/comprehensive": {"year": 2026, "person": "P05", "grade": "good"},
    "/exemptions": {"year": 2026, "person": "P10", "reason": "因病休养", "application_ref": "免考申〔2026〕1号"},
    "/target-bonus": {"year": 2026, "bases": {"科员": "8000", "正科级": "12000"}, "point_value": "50"},
    "/bulletins": {"number": "2026-01", "period": "2026-Q1", "title": "2026年第1期简报", "body": "一季度考核情况通报"},
    "/calendar/days": {"days": [{"day": "2026-04-01", "working": False, "note": "本地例外"}], "reason": "区政府通知"},
    "/record-forms": {"unit": "B01", "quarter": "2026-Q1"},
    "/notices": {"scope": "2026", "starts_on": "2030-01-02", "ends_on": "2030-01-31"},
    "/notices/confirmations": {"scope": "2026"},
    "/disputes": {"entry_id": "P02:2026-01:monthly:1", "reason": "扣分依据与事实不符"},
    "/disputes/reviews": {"entry_id": "P02:2026-01:monthly:1", "recommendation": "reverse", "findings": "经核查，扣分依据不足"},
    "/disputes/decisions": {"entry_id": "P02:2026-01:monthly:1", "decision": "reverse", "reason": "依据不足", "decision_ref": "绩领〔2026〕5号"},
}

ROLE_USERS = {
    Role.OFFICE: "office",
    Role.LEADING_GROUP: "leading_group",
    Role.SUPERVISION: "supervision",
    Role.ASSESSOR: "assessor",
    Role.UNIT_HEAD: "unit_head",
    Role.STAFF: "staff",
    Role.PARTY_GROUP: "party_group",
    Role.VIEWER: "viewer",
    Role.SECURITY_AUDITOR: "security_auditor",
    Role.SYSTEM_ADMIN: "system_admin",
}


def unit_deduction(points: str = "2", item: str = "K1", responsible: list[dict[str, str]] | None = None, **more: Any) -> dict[str, Any]:
    """An assessor's key-work deduction on B01 in February (sheet B01:2026-Q1:key)."""
    body = {"unit": "B01", "track": "key", "points": points, "item": item, "basis": "重点工作未按时序进度完成", "occurred_on": "2026-02-10"}
    body["responsible"] = responsible if responsible is not None else [{"person": "P03"}]
    return body | more


def score(api: Any, sheet: str, role: str = "office") -> str:
    return api.read(role, f"/sheets/{sheet}")["score"]


def test_every_command_path_has_a_body_here() -> None:
    assert set(BODIES) == set(ROUTES)


# -- the role matrix (R-ORG-4) -------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(ROUTES))
def test_roles_without_the_right_are_refused_and_logged__R_ORG_4(api: Any, path: str) -> None:
    command = ROUTES[path][0]
    outsiders = [ROLE_USERS[r] for r in Role if r not in command.roles]
    assert outsiders
    for role in outsiders:
        problem = api.refused(role, path, BODIES[path], 403, "FORBIDDEN")
        assert problem["command"] == command.__name__
        assert problem["role"] == role
    logged = api.read("office", "/refusals", limit=50)
    assert [(r["role"], r["command"], r["code"]) for r in logged[: len(outsiders)]] == [
        (role, command.__name__, "FORBIDDEN") for role in reversed(outsiders)
    ]


# -- roster and plan (R-ORG-1, R-ORG-2, R-PLAN-1, R-PLAN-2) ------------------------------------


def test_register_unit_then_appoint_head__R_ORG_1(api: Any) -> None:
    assert api.ok("office", "/units", BODIES["/units"]) == {"unit": "B03", "position": api.events()}
    units = {u["code"]: u for u in api.read("viewer", "/units")}
    assert units["B03"]["name"] == "城南分局" and units["B03"]["kind"] == "branch" and units["B03"]["head"] is None

    result = api.ok("office", "/units/heads", BODIES["/units/heads"])
    assert result["unit"] == "B02" and result["head"] == "P06"
    heads = api.read("office", "/units/B02")["heads"]
    # The head change is effective-dated: P05 from 2015, P06 from 1 July 2026.
    assert [(h["person"], h["effective_from"]) for h in heads] == [("P05", "2015-01-01"), ("P06", "2026-07-01")]


def test_enrol_person_then_open_their_sheet__R_ORG_2_R_STAFF_1(api: Any) -> None:
    assert api.ok("office", "/persons", BODIES["/persons"])["person"] == "P12"
    p12 = api.read("office", "/persons/P12")
    assert (p12["name"], p12["unit"], p12["tier"], p12["in_authority"]) == ("孙悦", "B01", "other", True)
    # P12 joined on 15 March, after the month was opened: the office opens the March sheet.
    result = api.ok("office", "/sheets", BODIES["/sheets"])
    assert result["sheet"] == "P12:2026-03:monthly"
    sheet = api.read("office", "/sheets/P12:2026-03:monthly")
    assert (sheet["status"], sheet["score"], sheet["unit"]) == ("open", "100.00", "B01")
    api.refused("office", "/sheets", BODIES["/sheets"], 409, "ALREADY_EXISTS")


def test_transfer_position_authority_departure__R_ORG_2(api: Any) -> None:
    result = api.ok("office", "/persons/transfers", BODIES["/persons/transfers"])
    assert (result["person"], result["unit"]) == ("P03", "B02")
    p03 = api.read("office", "/persons/P03")
    assert p03["unit"] == "B02"
    assert [(a["unit"], a["effective_from"]) for a in p03["assignments"]] == [("B01", "2012-01-01"), ("B02", "2026-04-01")]

    api.ok("office", "/persons/positions", BODIES["/persons/positions"])
    p03 = api.read("office", "/persons/P03")
    assert (p03["tier"], p03["position_grade"]) == ("middle_deputy", "副科级")

    api.ok("office", "/persons/authority", BODIES["/persons/authority"])
    assert api.read("office", "/persons/P04")["in_authority"] is False

    api.ok("office", "/persons/departures", BODIES["/persons/departures"])
    assert api.read("office", "/persons/P07")["left_on"] == "2026-06-30"
    assert "P07" not in [m["code"] for m in api.read("office", "/units/B02")["members"]]


def test_plan_year_and_policy_change__R_PLAN_1_R_PLAN_2(api: Any) -> None:
    assert api.ok("office", "/plans", BODIES["/plans"])["year"] == 2027
    assert api.read("staff", "/plans/2027")["policy"]["dispute_window_working_days"] == "5"
    api.refused("office", "/plans", BODIES["/plans"], 409, "ALREADY_EXISTS")

    result = api.ok("leading_group", "/plans/policy-changes", BODIES["/plans/policy-changes"])
    assert (result["key"], result["value"]) == ("dispute_window_working_days", "7")
    plan = api.read("viewer", "/plans/2026")
    assert plan["policy"]["dispute_window_working_days"] == "7"
    change = plan["policy_changes"][-1]
    assert (change["value"], change["decision_ref"], change["effective_from"]) == ("7", "绩领〔2026〕2号", "2026-03-01")


def test_open_period_opens_a_sheet_for_every_person__R_PLAN_1_R_STAFF_1(api: Any) -> None:
    result = api.ok("office", "/periods", BODIES["/periods"])
    assert result["period"] == "2026-04" and result["sheets"] == 11  # P01-P11, all on the roster on 30 April
    sheets = api.read("office", "/sheets", period="2026-04")
    assert len(sheets) == 11 and {s["score"] for s in sheets} == {"100.00"}
    assert sheets[0]["items"] == [{"code": "M1", "title": "工作纪律", "points_max": "100.00"}]


# -- sheets and entries (R-SHEET-1..4) -------------------------------------------------------------


def test_unit_head_deducts_own_staff_and_the_score_is_live__R_SHEET_1_R_SHEET_4(api: Any) -> None:
    result = api.ok("unit_head", "/deductions", BODIES["/deductions"])
    assert result == {"entry_id": "P02:2026-01:monthly:1", "cascaded": [], "position": api.events()}
    result = api.ok("unit_head", "/deductions", BODIES["/deductions"] | {"points": "0.25", "item": "M2"})
    sheet = api.read("staff", "/sheets/P02:2026-01:monthly")
    # 100 − (1.5 + 0.25) = 98.25; rate 98.25 / 100
    assert (sheet["deducted"], sheet["score"], sheet["rate"]) == ("1.75", "98.25", "0.9825")
    assert [(e["points"], e["item"], e["source"], e["status"]) for e in sheet["entries"]] == [
        ("1.50", "M1", "unit_review", "active"),
        ("0.25", "M2", "unit_review", "active"),
    ]
    entry = api.read("staff", f"/entries/{result['entry_id']}")
    assert (entry["basis"], entry["occurred_on"], entry["recorded_by"], entry["recorded_role"]) == ("上班迟到", "2026-01-12", "u-head-p01", "unit_head")


def test_unit_deduction_cascades_to_responsible_persons__R_CASCADE_1(api: Any) -> None:
    before = api.events()
    result = api.ok("assessor", "/deductions", unit_deduction("2", responsible=[{"person": "P01"}, {"person": "P03", "points": "0.5"}]))
    assert result["entry_id"] == "B01:2026-Q1:key:1"
    assert result["cascaded"] == ["P01:2026-02:monthly:1", "P03:2026-02:monthly:1"]
    assert api.events() == before + 3  # one transaction: the unit entry and both cascades
    assert score(api, "B01:2026-Q1:key") == "98.00"
    assert score(api, "P01:2026-02:monthly") == "98.00"  # the same points
    assert score(api, "P03:2026-02:monthly") == "99.50"  # the points stated for P03
    entry = api.read("staff", "/entries/B01:2026-Q1:key:1")
    assert [(c["entry_id"], c["points"], c["source"], c["cascaded_from"]) for c in entry["cascades"]] == [
        ("P01:2026-02:monthly:1", "2.00", "cascade", "B01:2026-Q1:key:1"),
        ("P03:2026-02:monthly:1", "0.50", "cascade", "B01:2026-Q1:key:1"),
    ]
    book = api.read("staff", "/ledgers/B01", year=2026)
    assert [e["entry_id"] for e in book["entries"]] == ["B01:2026-Q1:key:1"]
    p03 = api.read("office", "/ledgers/P03", year=2026)
    assert {s["period"]: s["score"] for s in p03["sheets"]} == {"2026-01": "100.00", "2026-02": "99.50", "2026-03": "100.00"}


def test_supervision_deduction_files_by_date_and_needs_its_form__R_SUP_1(api: Any) -> None:
    body = {"unit": "B02", "track": "routine", "points": "1", "basis": "效能监察：工作时间脱岗", "occurred_on": "2026-03-15", "responsible": [{"person": "P06", "points": "0.5"}]}
    api.refused("supervision", "/deductions", body, 422, "FORM_NUMBER_REQUIRED")
    result = api.ok("supervision", "/deductions", body | {"form_no": "JC-2026-001"})
    assert result["entry_id"] == "B02:2026-H1:routine:1" and result["cascaded"] == ["P06:2026-03:monthly:1"]
    entry = api.read("viewer", "/entries/B02:2026-H1:routine:1")
    assert (entry["source"], entry["form_no"]) == ("supervision", "JC-2026-001")
    assert score(api, "B02:2026-H1:routine") == "99.00"
    assert score(api, "P06:2026-03:monthly") == "99.50"
    # On a person: the monthly sheet of the month the fact occurred, at any time.
    person = api.ok("supervision", "/deductions", {"person": "P10", "points": "1", "basis": "窗口服务态度生硬", "occurred_on": "2026-02-18", "form_no": "JC-2026-002"})
    assert person["entry_id"] == "P10:2026-02:monthly:1"


def test_missed_deduction_doubles_on_the_head__R_CASCADE_2(api: Any) -> None:
    result = api.ok("office", "/missed-deductions", BODIES["/missed-deductions"])
    assert result == {"entry_id": "P03:2026-01:monthly:1", "head": "P01", "head_entry_id": "P01:2026-03:monthly:1", "position": api.events()}
    assert score(api, "P03:2026-01:monthly") == "98.50"  # p = 1.5 in the month it occurred
    assert score(api, "P01:2026-03:monthly") == "97.00"  # 2 × 1.5 in the month of the finding
    head_entry = api.read("office", "/entries/P01:2026-03:monthly:1")
    assert (head_entry["source"], head_entry["cascaded_from"]) == ("missed_double", "P03:2026-01:monthly:1")


def test_submit_publish_close_the_sheet_and_reopen__R_SHEET_3(api: Any) -> None:
    sheet = "P02:2026-01:monthly"
    assert api.ok("unit_head", "/sheets/submissions", BODIES["/sheets/submissions"])["status"] == "submitted"
    api.refused("unit_head", "/deductions", BODIES["/deductions"], 409, "SHEET_CLOSED")
    assert api.ok("unit_head", "/sheets/publications", BODIES["/sheets/publications"])["status"] == "published"
    assert api.read("staff", f"/sheets/{sheet}")["status"] == "published"
    api.refused("unit_head", "/sheets/publications", BODIES["/sheets/publications"], 409, "SHEET_STATE_INVALID")
    assert api.ok("leading_group", "/sheets/reopenings", BODIES["/sheets/reopenings"])["status"] == "open"
    api.ok("unit_head", "/deductions", BODIES["/deductions"])
    assert score(api, sheet) == "98.50"


def test_assessor_submits_only_sheets_of_its_panel__R_SHEET_5(api: Any) -> None:
    assert api.ok("assessor", "/sheets/submissions", {"sheet": "B01:2026-Q1:key"})["status"] == "submitted"
    api.refused("assessor", "/sheets/submissions", {"sheet": "B02:2026-Q1:key"}, 403, "ASSESSOR_NOT_ON_PANEL")


# -- corrections (R-FIX-1 with R-CASCADE-1) -----------------------------------------------------


def test_reversal_takes_the_cascades_along__R_FIX_1_R_CASCADE_1(api: Any) -> None:
    api.ok("assessor", "/deductions", unit_deduction("3", responsible=[{"person": "P03"}]))
    before = api.events()
    result = api.ok("leading_group", "/reversals", {"entry_id": "B01:2026-Q1:key:1", "reason": "经复核属误扣", "decision_ref": "绩领〔2026〕3号"})
    assert result["reversed"] == ["B01:2026-Q1:key:1", "P03:2026-02:monthly:1"]
    assert api.events() == before + 2
    assert score(api, "B01:2026-Q1:key") == "100.00"
    assert score(api, "P03:2026-02:monthly") == "100.00"
    # History is kept: the entry is still there, reversed, with the reason and the decision.
    entry = api.read("viewer", "/entries/B01:2026-Q1:key:1")
    assert (entry["status"], entry["reversal_reason"], entry["reversal_ref"]) == ("reversed", "经复核属误扣", "绩领〔2026〕3号")
    assert entry["cascades"][0]["status"] == "reversed" and entry["cascades"][0]["reversal_following"] == "B01:2026-Q1:key:1"
    api.refused("leading_group", "/reversals", {"entry_id": "B01:2026-Q1:key:1", "reason": "再撤销", "decision_ref": "x"}, 409, "ENTRY_ALREADY_REVERSED")
    api.refused("leading_group", "/reversals", {"entry_id": "P03:2026-02:monthly:1", "reason": "r", "decision_ref": "x"}, 409, "ENTRY_ALREADY_REVERSED")


def test_cascaded_entry_is_not_corrected_on_its_own__R_CASCADE_1(api: Any) -> None:
    api.ok("assessor", "/deductions", unit_deduction("3"))
    api.refused("leading_group", "/reversals", {"entry_id": "P03:2026-02:monthly:1", "reason": "r", "decision_ref": "x"}, 409, "ENTRY_IS_CASCADED")
    assert score(api, "P03:2026-02:monthly") == "97.00"


def test_amendment_replaces_entry_and_cascades__R_FIX_1(api: Any) -> None:
    api.ok("assessor", "/deductions", unit_deduction("2", responsible=[{"person": "P03"}]))
    result = api.ok("leading_group", "/amendments", {"entry_id": "B01:2026-Q1:key:1", "points": "1", "reason": "改扣1分", "decision_ref": "绩领〔2026〕5号"})
    assert result["entry_id"] == "B01:2026-Q1:key:2"
    assert result["reversed"] == ["B01:2026-Q1:key:1", "P03:2026-02:monthly:1"]
    assert result["cascaded"] == ["P03:2026-02:monthly:2"]
    assert score(api, "B01:2026-Q1:key") == "99.00"
    assert score(api, "P03:2026-02:monthly") == "99.00"
    old = api.read("office", "/entries/B01:2026-Q1:key:1")
    new = api.read("office", "/entries/B01:2026-Q1:key:2")
    assert (old["status"], old["amended_by"]) == ("amended", "B01:2026-Q1:key:2")
    assert (new["status"], new["amends"], new["points"], new["item"], new["basis"]) == ("active", "B01:2026-Q1:key:1", "1.00", "K1", "重点工作未按时序进度完成")
    book = api.read("office", "/ledgers/P03", year=2026)
    assert [(e["entry_id"], e["status"]) for e in book["entries"]] == [("P03:2026-02:monthly:1", "reversed"), ("P03:2026-02:monthly:2", "active")]


def test_amend_a_person_entry_on_a_published_sheet__R_FIX_1(api: Any) -> None:
    api.ok("unit_head", "/deductions", BODIES["/deductions"])
    api.ok("office", "/sheets/submissions", {"sheet": "P02:2026-01:monthly"})
    api.ok("office", "/sheets/publications", {"sheet": "P02:2026-01:monthly"})
    result = api.ok("leading_group", "/amendments", BODIES["/amendments"])
    assert result["entry_id"] == "P02:2026-01:monthly:2" and result["reversed"] == ["P02:2026-01:monthly:1"]
    sheet = api.read("staff", "/sheets/P02:2026-01:monthly")
    assert (sheet["status"], sheet["score"], sheet["entries_total"], sheet["entries_active"]) == ("published", "99.00", 2, 1)
    assert sheet["entries"][1]["late"] is True  # recorded after publication: accepted, marked late (R-CAL-3)
    api.ok("leading_group", "/reversals", {"entry_id": "P02:2026-01:monthly:2", "reason": "全部撤销", "decision_ref": "绩领〔2026〕6号"})
    assert score(api, "P02:2026-01:monthly", "staff") == "100.00"


def test_a_batch_of_submissions_is_all_or_nothing__R_SHEET_3(api: Any) -> None:
    """A unit's month submitted together: one sheet that cannot be submitted (already submitted)
    refuses the batch, and no event is written; the rest, alone, go through in one transaction."""
    api.ok("unit_head", "/deductions", BODIES["/deductions"])  # opens P02's January sheet
    api.ok("unit_head", "/deductions", BODIES["/deductions"] | {"person": "P03", "basis": "早退"})
    codes = ["P02:2026-01:monthly", "P03:2026-01:monthly"]
    api.ok("unit_head", "/sheets/submissions", {"sheet": codes[1]})
    before = api.events()
    problem = api.refused("unit_head", "/sheets/submissions/batch", {"sheets": codes + ["P99:2026-01:monthly"]}, 422, "BATCH_REFUSED")
    # every refused item is listed, by its place in the batch: the submitted sheet and the one never opened
    assert [(p["index"], p["code"]) for p in problem["problems"]] == [(1, "SHEET_STATE_INVALID"), (2, "SHEET_NOT_FOUND")]
    assert api.events() == before and api.read("unit_head", f"/sheets/{codes[0]}")["status"] == "open"
    done = api.ok("unit_head", "/sheets/submissions/batch", {"sheets": codes[:1]})
    assert done["sheets"] == codes[:1] and api.read("unit_head", f"/sheets/{codes[0]}")["status"] == "submitted"
    published = api.ok("unit_head", "/sheets/publications/batch", {"sheets": codes})
    assert published["position"] == api.events()
    assert [api.read("unit_head", f"/sheets/{c}")["status"] for c in codes] == ["published", "published"]
    api.refused("staff", "/sheets/publications/batch", {"sheets": codes}, 403, "FORBIDDEN")
