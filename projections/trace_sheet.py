"""Trace of a sheet score (考核表得分溯源), R-Q-2 with R-SHEET-1: the score and every entry on the
sheet — those that no longer count too, with the reversal, amendment or dispute that removed them
— each with its actor, time, basis and evidence; cascaded entries under the unit entry they came
from. The score is recomputed by the projection's own `sheet_score` from the entries shown."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledger.domain.numbers import ZERO
from projections.queries import Queries
from projections.sheet_projection import sheet_score

SOURCE_ZH = {
    "assessment": "考核部门扣分",
    "unit_review": "单位对本单位人员扣分",
    "supervision": "效能监察扣分",
    "cascade": "责任连带扣分",
    "missed_finding": "应扣未扣认定",
    "missed_double": "应扣未扣加倍扣分（单位主要负责人）",
}


def entry_node(entry: dict[str, Any], children: list[dict[str, Any]]) -> dict[str, Any]:
    counts = entry["status"] == "active"
    node: dict[str, Any] = {
        "figure": "entry",
        "entry_id": entry["entry_id"],
        "value": entry["points"],
        "counts": counts,
        "status": entry["status"],
        "source": entry["source"],
        "source_zh": SOURCE_ZH.get(entry["source"], entry["source"]),
        "basis": entry["basis"],
        "item": entry["item"],
        "occurred_on": entry["occurred_on"],
        "form_no": entry["form_no"],
        "evidence": entry["attachments"],
        "recorded": {"by": entry["recorded_by"], "role": entry["recorded_role"], "at": entry["recorded_at"], "position": entry["recorded_position"]},
        "late": entry["late"],
        "cascaded_from": entry["cascaded_from"],
        "amends": entry["amends"],
        "children": children,
    }
    if not counts:
        node["removed_by"] = {
            "kind": entry["status"],  # reversed | amended
            "by": entry["reversed_by"],
            "at": entry["reversed_at"],
            "reason": entry["reversal_reason"],
            "decision_ref": entry["reversal_ref"],
            "replacement": entry["amended_by"],
            "following": entry["reversal_following"],  # the unit entry whose correction carried it along
        }
    if entry.get("dispute"):
        node["dispute"] = entry["dispute"]
    return node


class SheetTrace:
    def __init__(self, queries: Queries) -> None:
        self.q = queries

    def sheet(self, code: str) -> dict[str, Any]:
        """R-SHEET-1: score = max(0, 100 − Σ active deductions)."""
        sheet = self.q.sheet(code)
        entries = sheet["entries"]
        by_id = {e["entry_id"]: e for e in entries}
        children = []
        for e in entries:
            # A unit entry shows the cascades it caused (on other sheets) underneath.
            cascades = [entry_node(c, []) for c in self._entries(e["cascaded_to"], by_id)] if e["cascaded_to"] else []
            children.append(entry_node(e, cascades))
        active = [e for e in entries if e["status"] == "active"]
        score, rate = sheet_score(sum((Decimal(e["points"]) for e in active), ZERO))
        terms = " − ".join(e["points"] for e in active) or "0"
        return {
            "figure": "sheet_score",
            "sheet": code,
            "target": sheet["target"],
            "period": sheet["period"],
            "status": sheet["status"],
            "value": score,
            "rate": rate,
            "formula": f"max(0, 100 − Σ active deductions) = max(0, 100 − ({terms})) = {score}",
            "rule": "R-SHEET-1",
            "inputs": {"deducted": sheet["deducted"], "active_entries": len(active), "entries_not_counting": len(entries) - len(active)},
            "provisional": sheet.get("provisional", False),
            "position": sheet["position"],
            "children": children,
        }

    def _entries(self, ids: list[str], known: dict[str, Any]) -> list[dict[str, Any]]:
        return [known[i] if i in known else self.q.entry(i) for i in ids]
