"""Read-model tables (读模型), declared once with SQLAlchemy Core.

Alembic (`migrations/`) creates them; `projections.projector` writes them inside each command's
transaction; `projections.queries` reads them. Every projected row carries `position`, the
event-log position (notification id) of the event that last changed it.

Points, scores and rates are stored as decimal TEXT: SQLite has no exact decimal type, and a
REAL column would turn 0.1 into 0.1000000000000000055. TEXT keeps both stores byte-identical.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, MetaData, String, Text, BigInteger, Table

metadata = MetaData()

Position = lambda: Column("position", BigInteger, nullable=False)  # noqa: E731

TRACKING_NAME = "ledger"  # the projector's row in projection_tracking

tracking = Table(
    "projection_tracking",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

units = Table(
    "units",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("registered_on", String(10), nullable=False),
    Column("head", String(32)),  # the latest appointed head
    Position(),
)

unit_heads = Table(
    "unit_heads",
    metadata,
    Column("unit", String(32), primary_key=True),
    Column("effective_from", String(10), primary_key=True),
    Column("person", String(32), nullable=False),
    Position(),
)

persons = Table(
    "persons",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(50), nullable=False),
    Column("gender", String(8), nullable=False),
    Column("birth_date", String(10), nullable=False),
    Column("tier", String(16), nullable=False),
    Column("position_grade", String(50), nullable=False),
    Column("former_position_grade", String(50)),  # before the last change (R-BONUS-T-2, senior excellent)
    Column("joined_on", String(10), nullable=False),
    Column("left_on", String(10)),
    Column("in_authority", Boolean, nullable=False),
    Column("unit", String(32), nullable=False),  # the latest assignment
    Position(),
    Index("ix_persons_unit", "unit"),
)

assignments = Table(
    "assignments",
    metadata,
    Column("person", String(32), primary_key=True),
    Column("effective_from", String(10), primary_key=True),
    Column("unit", String(32), nullable=False),
    Position(),
)

plans = Table(
    "plans",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("aggregate_id", String(36), nullable=False, unique=True),
    Column("policy", Text, nullable=False),  # JSON: key -> decimal string
    Position(),
)

policy_changes = Table(
    "policy_changes",
    metadata,
    Column("position", BigInteger, primary_key=True),
    Column("year", Integer, nullable=False),
    Column("key", String(64), nullable=False),
    Column("value", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("decision_ref", String(100), nullable=False),
    Column("effective_from", String(10), nullable=False),
    Column("recorded_at", String(40), nullable=False),
    Column("recorded_by", String(64), nullable=False),
)

periods = Table(
    "periods",
    metadata,
    Column("code", String(7), primary_key=True),
    Column("year", Integer, nullable=False),
    Column("kind", String(8), nullable=False),
    Column("items", Text, nullable=False),  # JSON
    Column("panels", Text, nullable=False),  # JSON
    Column("window_opens", String(10), nullable=False),  # R-CAL-1 assessment window
    Column("window_closes", String(10), nullable=False),
    Position(),
)

sheets = Table(
    "sheets",
    metadata,
    Column("code", String(80), primary_key=True),
    Column("aggregate_id", String(36), nullable=False, unique=True),
    Column("target_kind", String(8), nullable=False),
    Column("target", String(32), nullable=False),
    Column("unit", String(32), nullable=False),
    Column("period", String(7), nullable=False),
    Column("year", Integer, nullable=False),
    Column("track", String(8), nullable=False),
    Column("status", String(10), nullable=False),
    Column("items", Text, nullable=False),  # JSON
    Column("deducted", String(20), nullable=False),  # Σ active deductions
    Column("score", String(20), nullable=False),  # max(0, 100 − deducted), R-SHEET-1
    Column("rate", String(20), nullable=False),  # score / 100
    Column("entries_total", Integer, nullable=False),
    Column("entries_active", Integer, nullable=False),
    Column("submitted_on", String(10)),  # the bureau's date, R-CAL-3
    Column("published_on", String(10)),  # the latest publication, R-CAL-3 / R-DISPUTE-1
    Position(),
    Index("ix_sheets_target", "target", "year"),
    Index("ix_sheets_period", "period", "track"),
    Index("ix_sheets_unit", "unit", "period"),
)

entries = Table(
    "entries",
    metadata,
    Column("entry_id", String(100), primary_key=True),
    Column("sheet", String(80), nullable=False),
    Column("no", Integer, nullable=False),
    Column("target_kind", String(8), nullable=False),
    Column("target", String(32), nullable=False),
    Column("unit", String(32), nullable=False),
    Column("period", String(7), nullable=False),
    Column("year", Integer, nullable=False),
    Column("track", String(8), nullable=False),
    Column("points", String(20), nullable=False),
    Column("item", String(32)),
    Column("basis", Text, nullable=False),
    Column("occurred_on", String(10), nullable=False),
    Column("source", String(16), nullable=False),
    Column("form_no", String(64)),
    Column("attachments", Text, nullable=False),  # JSON list
    Column("cascaded_from", String(100)),
    Column("cascaded_to", Text, nullable=False),  # JSON list
    Column("amends", String(100)),
    Column("amended_by", String(100)),
    Column("dispute", String(20)),  # filed | reviewed | decided:<decision>; NULL when never disputed
    Column("late", Boolean, nullable=False),
    Column("status", String(10), nullable=False),  # active | reversed | amended
    Column("recorded_at", String(40), nullable=False),
    Column("recorded_by", String(64), nullable=False),
    Column("recorded_role", String(16), nullable=False),
    Column("recorded_position", BigInteger, nullable=False),
    Column("reversed_at", String(40)),
    Column("reversed_by", String(64)),
    Column("reversal_reason", Text),
    Column("reversal_ref", String(100)),
    Column("reversal_following", String(100)),
    Position(),
    # The entry id is `<target>:<period>:<track>:<no>`, so the primary key alone serves "all
    # entries of a sheet" and "all entries of a target in a year" as range scans. No other
    # index: every index is one more page written by every deduction's commit.
    sqlite_with_rowid=False,
)

# -- the annual review's inputs (R-BONUS-*, R-VETO-*, §5) ----------------------------------------
# Kept as running sums so a deduction updates them in O(1); the annual formulas (ledger/annual.py)
# turn them into scores, grades and payouts when read.

annual_persons = Table(
    "annual_persons",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("person", String(32), primary_key=True),
    Column("months", Integer, nullable=False),  # monthly sheets the person had (R-STAFF-1)
    Column("months_published", Integer, nullable=False),
    Column("monthly_total", String(20), nullable=False),  # Σ monthly scores
    Column("deducted_total", String(20), nullable=False),  # Σ active deducted points (R-BONUS-T-3)
    Position(),
)

annual_unit_tracks = Table(
    "annual_unit_tracks",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("unit", String(32), primary_key=True),
    Column("track", String(8), primary_key=True),
    Column("sheets", Integer, nullable=False),
    Column("sheets_published", Integer, nullable=False),
    Column("rate_total", String(20), nullable=False),  # Σ sheet rates, for the mean (R-UNIT-1/2)
    Position(),
)

evaluations = Table(
    "evaluations",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("target", String(32), primary_key=True),
    Column("kind", String(16), primary_key=True),  # democratic | grassroots | party_grade | exemption
    Column("value", Text, nullable=False),
    Column("recorded_at", String(40), nullable=False),
    Column("recorded_by", String(64), nullable=False),
    Position(),
)

bonus_items = Table(
    "bonus_items",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("code", String(32), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("points", String(20), nullable=False),
    Column("requirement", String(20), nullable=False),
    Column("applies_to", String(8), nullable=False),
    Position(),
)

bonus_claims = Table(
    "bonus_claims",
    metadata,
    Column("target", String(32), primary_key=True),
    Column("basis_ref", String(100), primary_key=True),
    Column("aggregate_id", String(36), nullable=False, unique=True),
    Column("year", Integer, nullable=False),
    Column("target_kind", String(8), nullable=False),
    Column("item", String(32), nullable=False),
    Column("points", String(20), nullable=False),
    Column("basis", Text, nullable=False),
    Column("earned_on", String(10), nullable=False),
    Column("document_dated", String(10), nullable=False),
    Column("evidence", Text, nullable=False),  # JSON
    Column("filed_on", String(10), nullable=False),
    Column("late", Boolean, nullable=False),
    Column("carried_over", Boolean, nullable=False),
    Column("status", String(10), nullable=False),  # filed | approved | rejected
    Column("filed_by", String(64), nullable=False),
    Column("decided_by", String(64)),
    Column("decided_at", String(40)),
    Column("decision_reason", Text),
    Position(),
    Index("ix_bonus_claims_year", "year"),
)

vetoes = Table(
    "vetoes",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("aggregate_id", String(36), nullable=False, unique=True),
    Column("year", Integer, nullable=False),
    Column("unit", String(32), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("head", String(32), nullable=False),
    Column("persons", Text, nullable=False),  # JSON
    Column("occurred_on", String(10), nullable=False),
    Column("reason", Text, nullable=False),
    Column("decision_ref", String(100), nullable=False),
    Column("status", String(8), nullable=False),  # active | lifted
    Column("imposed_by", String(64), nullable=False),
    Column("lifted_by", String(64)),
    Column("lift_reason", Text),
    Column("lift_ref", String(100)),
    Position(),
    Index("ix_vetoes_year", "year"),
)

target_bonus = Table(
    "target_bonus",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("bases", Text, nullable=False),  # JSON: position grade -> yuan
    Column("point_value", String(20), nullable=False),  # yuan per deducted point
    Position(),
)

bulletins = Table(
    "bulletins",
    metadata,
    Column("number", String(32), primary_key=True),
    Column("period", String(7), nullable=False),
    Column("title", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("through_position", BigInteger, nullable=False),  # the last event the digest covers
    Column("digest", String(64), nullable=False),  # SHA-256 hex, R-AUDIT-1
    Column("published_at", String(40), nullable=False),
    Column("published_by", String(64), nullable=False),
    Position(),
)

disputes = Table(
    "disputes",
    metadata,
    Column("entry_id", String(100), primary_key=True),  # one dispute per entry, R-DISPUTE-1
    Column("aggregate_id", String(36), nullable=False, unique=True),
    Column("sheet", String(80), nullable=False),
    Column("target", String(32), nullable=False),
    Column("year", Integer, nullable=False),
    Column("status", String(10), nullable=False),  # filed | reviewed | decided
    Column("reason", Text, nullable=False),
    Column("filed_on", String(10), nullable=False),
    Column("window_closes", String(10), nullable=False),
    Column("filed_by", String(64), nullable=False),
    Column("filed_at", String(40), nullable=False),
    Column("recommendation", String(8)),
    Column("findings", Text),
    Column("reviewed_by", String(64)),
    Column("reviewed_at", String(40)),
    Column("decision", String(8)),
    Column("decision_reason", Text),
    Column("decision_ref", String(100)),
    Column("replacement", String(100)),  # the amending entry
    Column("decided_by", String(64)),
    Column("decided_at", String(40)),
    Column("filed_position", BigInteger, nullable=False),
    Column("decided_position", BigInteger),
    Position(),
    Index("ix_disputes_target", "target", "year"),
    Index("ix_disputes_year_status", "year", "status"),
)

calendar_days = Table(
    "calendar_days",
    metadata,
    Column("day", String(10), primary_key=True),  # the office's local exception, R-CAL-2
    Column("working", Boolean, nullable=False),
    Column("note", String(200), nullable=False),
    Position(),
)

calendar_years = Table(
    "calendar_years",
    metadata,
    Column("year", Integer, primary_key=True),  # a year the office has entered completely
    Position(),
)

record_filings = Table(
    "record_filings",
    metadata,
    Column("unit", String(32), primary_key=True),
    Column("quarter", String(7), primary_key=True),
    Column("filed_on", String(10), nullable=False),
    Column("deadline", String(10), nullable=False),
    Column("late", Boolean, nullable=False),
    Column("filed_by", String(64), nullable=False),
    Position(),
)

notices = Table(
    "notices",
    metadata,
    Column("scope", String(7), primary_key=True),  # "2026" (annual) or "2026-03" (monthly)
    Column("kind", String(8), nullable=False),  # annual | monthly
    Column("year", Integer, nullable=False),
    Column("starts_on", String(10), nullable=False),
    Column("ends_on", String(10), nullable=False),
    Column("working_days", Integer, nullable=False),  # the plan's minimum when published
    Column("earliest_end", String(10), nullable=False),
    Column("late", Boolean, nullable=False),
    Column("noticed_position", BigInteger, nullable=False),  # the published list is the results as of this position
    Column("noticed_at", String(40), nullable=False),
    Column("noticed_by", String(64), nullable=False),
    Column("objections", Text, nullable=False),  # JSON: entry ids disputed during the notice
    Column("status", String(10), nullable=False),  # noticed | confirmed
    Column("confirmed_on", String(10)),
    Column("confirmed_position", BigInteger),  # the confirmed results are the results as of this position
    Column("confirmed_by", String(64)),
    Column("confirmed_at", String(40)),
    Position(),
    Index("ix_notices_year", "year"),
)

PROJECTED_TABLES = (
    units, unit_heads, persons, assignments, plans, policy_changes, periods, sheets, entries,
    annual_persons, annual_unit_tracks, evaluations, bonus_items, bonus_claims, vetoes, target_bonus,
    bulletins, calendar_days, calendar_years, record_filings, disputes, notices,
)

def _history_of(table: Table) -> Table:
    """`<table>_history`: earlier versions of the table's rows (projections/history.py). One index:
    the seek to a key's latest version at or before a log position (migration 0013)."""
    keys = [c.name for c in table.primary_key.columns]
    return Table(
        f"{table.name}_history",
        metadata,
        Column("version_id", Integer, primary_key=True, autoincrement=True),
        *[Column(c.name, c.type, nullable=True) for c in table.columns],
        Column("superseded_at", BigInteger, nullable=False),  # the position that replaced this version
        Index(f"ix_{table.name}_history_seek", *dict.fromkeys([*keys, "position", "superseded_at"])),
    )


HISTORY: dict[str, Table] = {table.name: _history_of(table) for table in PROJECTED_TABLES}
