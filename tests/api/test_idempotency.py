"""Idempotency-Key: a retried command applies once; the same key for another request is refused.

Keys belong to the user who sent them, and cover the path and the parsed body.
"""

from __future__ import annotations

from typing import Any

DEDUCTION = {"person": "P02", "points": "1.5", "item": "M1", "basis": "上班迟到", "occurred_on": "2026-01-12"}
UNIT_DEDUCTION = {
    "unit": "B01", "track": "key", "points": "2", "item": "K1", "basis": "重点工作未按时序进度完成",
    "occurred_on": "2026-02-10", "responsible": [{"person": "P03"}],
}  # fmt: skip


def test_retry_with_the_same_key_applies_once(api: Any) -> None:
    before = api.events()
    first = api.post("unit_head", "/deductions", DEDUCTION, key="retry-1")
    assert first.status_code == 201, first.text
    assert "replayed" not in first.json()
    assert api.events() == before + 1
    second = api.post("unit_head", "/deductions", DEDUCTION, key="retry-1")
    assert second.status_code == 201, second.text
    assert second.json() == first.json() | {"replayed": True}  # same entry_id, same log position
    assert api.events() == before + 1
    sheet = api.read("staff", "/sheets/P02:2026-01:monthly")
    assert (sheet["entries_total"], sheet["score"]) == (1, "98.50")


def test_retry_of_a_cascading_command_applies_once__R_CASCADE_1(api: Any) -> None:
    first = api.post("assessor", "/deductions", UNIT_DEDUCTION, key="unit-1").json()
    events = api.events()
    again = api.post("assessor", "/deductions", UNIT_DEDUCTION, key="unit-1").json()
    assert (again["entry_id"], again["cascaded"], again["replayed"]) == (first["entry_id"], first["cascaded"], True)
    assert api.events() == events
    assert api.read("office", "/sheets/P03:2026-02:monthly")["score"] == "98.00"


def test_same_key_with_a_different_body_is_refused(api: Any) -> None:
    assert api.post("unit_head", "/deductions", DEDUCTION, key="k-7").status_code == 201
    problem = api.refused("unit_head", "/deductions", DEDUCTION | {"points": "2"}, 409, "IDEMPOTENCY_KEY_REUSED", key="k-7")
    assert problem["idem_key"] == "k-7"
    assert api.read("staff", "/sheets/P02:2026-01:monthly")["score"] == "98.50"


def test_same_key_on_another_command_path_is_refused(api: Any) -> None:
    api.post("office", "/plans", {"year": 2027}, key="plan-key")
    api.refused("office", "/periods", {"period": "2026-04"}, 409, "IDEMPOTENCY_KEY_REUSED", key="plan-key")


def test_keys_belong_to_their_user(api: Any) -> None:
    """Two users who happen to pick the same key are two requests."""
    before = api.events()
    a = api.post("unit_head", "/deductions", DEDUCTION, key="shared").json()
    b = api.post("supervision", "/deductions", DEDUCTION | {"form_no": "JC-2026-009", "item": "M2"}, key="shared").json()
    assert a["entry_id"] == "P02:2026-01:monthly:1" and b["entry_id"] == "P02:2026-01:monthly:2"
    assert "replayed" not in b
    assert api.events() == before + 2


def test_a_refused_command_does_not_spend_its_key(api: Any) -> None:
    api.refused("unit_head", "/deductions", DEDUCTION | {"points": "0"}, 422, "INVALID_POINTS", key="fix-and-retry")
    result = api.post("unit_head", "/deductions", DEDUCTION, key="fix-and-retry")
    assert result.status_code == 201 and "replayed" not in result.json()


def test_key_longer_than_200_characters_is_refused(api: Any) -> None:
    problem = api.refused("unit_head", "/deductions", DEDUCTION, 422, "INVALID_INPUT", key="k" * 201)
    assert problem["errors"][0]["loc"] == ["header", "idempotency-key"]
