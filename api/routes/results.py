"""Annual results (年度考核结果) and the annual review's records. Read from projections only; what
each may be read by is declared with `api.policy.reads`, what each returns with `response_model`
(api/schemas), and a read whose path names a record that must exist with `responses=NOT_FOUND`."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Path, Query

from api.routing import routes
from api.deps import ServiceDep, ViewDep
from api.policy import BUREAU, OVERSIGHT, Dispute, Entry, Members, Own, Person, Sheet, Target, UnitResults, reads
from api.schemas import (
    NOT_FOUND,
    BonusClaim,
    BonusItem,
    Bulletin,
    Correction,
    Deadlines,
    Dispute as DisputeRow,
    DisputeDetail,
    Evaluation,
    IncompetentRun,
    PersonHistory,
    PersonResult,
    PersonTrace,
    SheetTrace,
    UnitHistory,
    UnitResult,
    UnitTrace,
    Veto,
    WorkingDayDeadline,
    YearResults,
    YearSummary,
)
from ledger.domain.errors import PersonNotFound, UnitNotFound
from projections.crossyear import CrossYear
from projections.trace import Trace

router = routes(["annual results 年度考核结果"])

YearPath = Annotated[int, Path(ge=2000, le=2100)]
YearQuery = Annotated[int | None, Query(ge=2000, le=2100)]
# Working days are known for the years a calendar can hold; a date past them is a 422, not an overflow.
CalendarDate = Annotated[date, Query(ge=date(2000, 1, 1), le=date(2100, 12, 31))]


def _public(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k != "persons_by_code"}


@router.get("/results/{year}", summary="年度考核结果：全部单位与人员、全局汇总", response_model=YearResults, responses=NOT_FOUND, dependencies=[Depends(reads(OVERSIGHT))])
def results(year: YearPath, view: ViewDep) -> dict[str, Any]:
    return _public(view.annual.year(year))


@router.get("/results/{year}/summary", summary="年度汇总：等次分布、各层级优秀名额、达标单位", response_model=YearSummary, responses=NOT_FOUND, dependencies=[Depends(reads(OVERSIGHT))])
def summary(year: YearPath, view: ViewDep) -> dict[str, Any]:
    return view.annual.summary(year)


@router.get("/results/{year}/units", summary="单位年度得分、达标情况与排名", response_model=list[UnitResult], responses=NOT_FOUND, dependencies=[Depends(reads(OVERSIGHT))])
def unit_results(year: YearPath, view: ViewDep, kind: str | None = None) -> list[dict[str, Any]]:
    units = view.annual.year(year)["units"]
    return [u for u in units if kind is None or u["kind"] == kind]


@router.get("/results/{year}/units/{code}", summary="单位年度考核结果", response_model=UnitResult, responses=NOT_FOUND, dependencies=[Depends(reads(UnitResults("code")))])
def unit_result(year: YearPath, code: str, view: ViewDep) -> dict[str, Any]:
    for u in view.annual.year(year)["units"]:
        if u["unit"] == code:
            return u
    raise UnitNotFound(f"no annual result for unit {code} in {year}", f"{code} 无 {year} 年度考核结果", unit=code)


@router.get("/results/{year}/persons", summary="人员年度考核结果（得分率、等次、公务员等次、目标考评奖）", response_model=list[PersonResult], responses=NOT_FOUND, dependencies=[Depends(reads(Members("unit"), OVERSIGHT))])
def person_results(year: YearPath, view: ViewDep, unit: str | None = None) -> list[dict[str, Any]]:
    persons = view.annual.year(year)["persons"]
    return [p for p in persons if unit is None or p["unit"] == unit]


@router.get("/results/{year}/persons/{code}", summary="个人年度考核结果", response_model=PersonResult, responses=NOT_FOUND, dependencies=[Depends(reads(Person("code", year="year")))])
def person_result(year: YearPath, code: str, view: ViewDep) -> dict[str, Any]:
    row = view.annual.person(year, code)
    if row is None:
        raise PersonNotFound(f"no annual result for {code} in {year}", f"{code} 无 {year} 年度考核结果", person=code)
    return row


@router.get("/bonus-items/{year}", summary="年度考核加分项目", response_model=list[BonusItem], dependencies=[Depends(reads(BUREAU))])
def bonus_items(year: YearPath, view: ViewDep) -> list[dict[str, Any]]:
    return view.queries.bonus_items(year)


@router.get("/bonus-claims", summary="加分申报", response_model=list[BonusClaim], dependencies=[Depends(reads(Own("target"), OVERSIGHT))])
def bonus_claims(view: ViewDep, year: YearQuery = None, target: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
    return view.queries.bonus_claims(year, target, status)


@router.get("/vetoes", summary="一票否决事项", response_model=list[Veto], dependencies=[Depends(reads(UnitResults("unit"), OVERSIGHT))])
def vetoes(view: ViewDep, year: YearQuery = None, unit: str | None = Query(default=None, max_length=32)) -> list[dict[str, Any]]:
    return view.queries.vetoes(year, unit)


@router.get("/evaluations/{year}", summary="民主测评、基层测评、党组评定、免考", response_model=list[Evaluation], dependencies=[Depends(reads(Own("target"), OVERSIGHT))])
def evaluations(year: YearPath, view: ViewDep, target: str | None = None) -> list[dict[str, Any]]:
    return view.queries.evaluations(year, target)


@router.get("/bulletins", summary="工作绩效管理简报列表（含事件日志摘要）", response_model=list[Bulletin], dependencies=[Depends(reads(BUREAU))])
def bulletins(view: ViewDep, year: YearQuery = None) -> list[dict[str, Any]]:
    return view.queries.bulletins(year)


@router.get("/bulletins/{number}", summary="一期简报及其事件日志摘要 (R-AUDIT-1)", response_model=Bulletin, responses=NOT_FOUND, dependencies=[Depends(reads(BUREAU))])
def bulletin(number: str, view: ViewDep) -> dict[str, Any]:
    return view.queries.bulletin(number)


@router.get("/deadlines/{year}", summary="考核时限检查：逾期事项及逾期天数 (R-CAL-3)", response_model=Deadlines, dependencies=[Depends(reads(OVERSIGHT))])
def deadlines(
    year: YearPath, view: ViewDep, service: ServiceDep, today: date | None = None, overdue: bool = False
) -> dict[str, Any]:
    """`today` defaults to the bureau's date; `overdue=true` lists only what was missed."""
    return view.deadlines.year(year, today or service.clock.today(), overdue_only=overdue)


@router.get("/calendar/working-days", summary="工作日查询（国家法定节假日及调休 + 本局例外）(R-CAL-2)", response_model=WorkingDayDeadline, dependencies=[Depends(reads(BUREAU))])
def working_days(view: ViewDep, start: CalendarDate, working_days: Annotated[int, Query(ge=0, le=60)] = 3) -> dict[str, Any]:
    end, warned = view.deadlines.calendar().add_working_days(start, working_days)
    return {"start": start.isoformat(), "working_days": working_days, "deadline": end.isoformat(), "calendar_warning": warned}


@router.get("/disputes", summary="申诉列表：本人（本单位）的申诉，或全部（监督角色）", response_model=list[DisputeRow], dependencies=[Depends(reads(Target("target"), OVERSIGHT))])
def disputes(view: ViewDep, year: YearQuery = None, target: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
    return view.queries.disputes(year, target, status)


@router.get("/disputes/{entry_id}", summary="一项申诉及其扣分记录 (R-DISPUTE-1)", response_model=DisputeDetail, responses=NOT_FOUND, dependencies=[Depends(reads(Dispute("entry_id")))])
def dispute(entry_id: str, view: ViewDep) -> dict[str, Any]:
    return view.queries.dispute(entry_id)


# -- trace (R-Q-2) -----------------------------------------------------------------------------


@router.get("/trace/sheets/{code}", summary="溯源：考核表得分的计算过程及全部扣分记录 (R-Q-2)", response_model=SheetTrace, responses=NOT_FOUND, dependencies=[Depends(reads(Sheet("code")))])
def trace_sheet(code: str, view: ViewDep) -> dict[str, Any]:
    return Trace(view).sheet(code)


@router.get("/trace/results/{year}/persons/{code}", summary="溯源：个人年度得分率、等次、名额、目标考评奖 (R-Q-2)", response_model=PersonTrace, responses=NOT_FOUND, dependencies=[Depends(reads(Person("code", year="year")))])
def trace_person(year: YearPath, code: str, view: ViewDep) -> dict[str, Any]:
    return Trace(view).person(year, code)


@router.get("/trace/results/{year}/units/{code}", summary="溯源：单位年度得分、结果、排名 (R-Q-2)", response_model=UnitTrace, responses=NOT_FOUND, dependencies=[Depends(reads(UnitResults("code")))])
def trace_unit(year: YearPath, code: str, view: ViewDep) -> dict[str, Any]:
    return Trace(view).unit(year, code)


# -- across years (R-Q-3) ------------------------------------------------------------------------


@router.get("/history/persons/{code}", summary="个人历年考核结果（含连续不称职）", response_model=PersonHistory, responses=NOT_FOUND, dependencies=[Depends(reads(Person("code")))])
def person_history(code: str, view: ViewDep, start: YearQuery = None, end: YearQuery = None) -> dict[str, Any]:
    return CrossYear(view).person(code, start, end)


@router.get("/history/units/{code}", summary="单位历年考核结果", response_model=UnitHistory, responses=NOT_FOUND, dependencies=[Depends(reads(UnitResults("code")))])
def unit_history(code: str, view: ViewDep, start: YearQuery = None, end: YearQuery = None) -> dict[str, Any]:
    return CrossYear(view).unit(code, start, end)


@router.get("/history/incompetent-runs", summary="连续两年及以上不称职人员", response_model=list[IncompetentRun], dependencies=[Depends(reads(OVERSIGHT))])
def incompetent_runs(view: ViewDep, start: YearQuery = None, end: YearQuery = None) -> list[dict[str, Any]]:
    return CrossYear(view).incompetent_runs(start, end)


@router.get("/history/carried-bonuses", summary="跨年度申报的加分（上年取得、文件日期晚于截止日）", response_model=list[BonusClaim], dependencies=[Depends(reads(OVERSIGHT))])
def carried_bonuses(view: ViewDep, year: YearQuery = None) -> list[dict[str, Any]]:
    return CrossYear(view).carried_bonuses(year)


@router.get("/history/corrections/{entry_id}", summary="撤销或更正前后的得分对比", response_model=Correction, responses=NOT_FOUND, dependencies=[Depends(reads(Entry("entry_id")))])
def correction(entry_id: str, view: ViewDep) -> dict[str, Any]:
    return CrossYear(view).correction(entry_id)
