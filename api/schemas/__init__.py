"""Response schemas (响应模型): what each route returns, declared as pydantic models so the OpenAPI
document says it (`response_model=`), and the problem document every error is.

Each model is the row its query returns today, field for field (a field absent from some rows is
`MISSING`, never a made-up null); figures stay decimal strings. The parts: `problems`, `roster`
(units, persons, plans, the service), `sheets`, `annual` (results and the annual review),
`oversight` (bulletins, disputes, deadlines), `trace` (R-Q-2, R-Q-3), `commands`; `openapi`
writes the errors into the document."""

from api.schemas.annual import BonusClaim, BonusItem, Evaluation, PersonResult, UnitResult, Veto, YearResults, YearSummary
from api.schemas.commands import CommandResult
from api.schemas.openapi import NOT_FOUND
from api.schemas.oversight import Bulletin, Deadlines, Dispute, DisputeDetail, Notice, NoticeBoard, NoticeChanges, WorkingDayDeadline
from api.schemas.problems import Problem
from api.schemas.roster import Me, PersonDetail, PersonRow, Plan, Refusal, Stats, UnitDetail, UnitRow
from api.schemas.sheets import EntryDetail, ScoringLedger, SheetDetail, SheetRow
from api.schemas.trace import Correction, IncompetentRun, PersonHistory, PersonTrace, SheetTrace, UnitHistory, UnitTrace

__all__ = [
    "NOT_FOUND",
    "Notice",
    "NoticeBoard",
    "NoticeChanges",
    "BonusClaim",
    "BonusItem",
    "Bulletin",
    "CommandResult",
    "Correction",
    "Deadlines",
    "Dispute",
    "DisputeDetail",
    "EntryDetail",
    "Evaluation",
    "IncompetentRun",
    "Me",
    "PersonDetail",
    "PersonHistory",
    "PersonResult",
    "PersonRow",
    "PersonTrace",
    "Plan",
    "Problem",
    "Refusal",
    "ScoringLedger",
    "SheetDetail",
    "SheetRow",
    "SheetTrace",
    "Stats",
    "UnitDetail",
    "UnitHistory",
    "UnitResult",
    "UnitRow",
    "UnitTrace",
    "Veto",
    "WorkingDayDeadline",
    "YearResults",
    "YearSummary",
]
