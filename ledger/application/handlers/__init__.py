"""Command handlers, one module per part of the domain, and the one table that says which handler
runs which command. Each handler is `handler(uow, actor, command) -> Outcome`: it gets aggregates
from the unit of work, calls their rule-checking commands and returns what to save."""

from __future__ import annotations

from typing import Any, Callable

from ledger.application import commands as c
from ledger.application.handlers import annual, audit, calendar, disputes, entries, notices, plan, roster, sheets
from ledger.application.unit_of_work import Outcome, UnitOfWork
from ledger.domain.actors import Actor

Handler = Callable[[UnitOfWork, Actor, Any], Outcome]

HANDLERS: dict[type[c.Command], Handler] = {
    # annual
    c.DefineBonusItem: annual.define_bonus_item,
    c.FileBonusClaim: annual.file_bonus_claim,
    c.ApproveBonusClaim: annual.approve_bonus_claim,
    c.RejectBonusClaim: annual.reject_bonus_claim,
    c.ImposeVeto: annual.impose_veto,
    c.LiftVeto: annual.lift_veto,
    c.RecordDemocraticRate: annual.record_democratic_rate,
    c.RecordGrassrootsRate: annual.record_grassroots_rate,
    c.RecordComprehensiveGrade: annual.record_comprehensive_grade,
    c.ApproveExemption: annual.approve_exemption,
    c.SetTargetBonus: annual.set_target_bonus,
    # audit
    c.PublishBulletin: audit.publish_bulletin,
    # calendar
    c.DeclareCalendarDays: calendar.declare_days,
    c.FileRecordForms: calendar.file_record_forms,
    # disputes
    c.FileDispute: disputes.file_dispute,
    c.ReviewDispute: disputes.review_dispute,
    c.DecideDispute: disputes.decide_dispute,
    # entries
    c.RecordDeduction: entries.record_deduction,
    c.RecordMissedDeduction: entries.record_missed,
    c.ReverseEntry: entries.reverse_entry,
    c.AmendEntry: entries.amend_entry,
    # notices
    c.PublishNotice: notices.publish_notice,
    c.ConfirmResults: notices.confirm_results,
    # plan
    c.PlanYear: plan.plan_year,
    c.ChangePolicy: plan.change_policy,
    c.OpenPeriod: plan.open_period,
    c.OpenSheet: plan.open_sheet,
    # roster
    c.RegisterUnit: roster.register_unit,
    c.AppointHead: roster.appoint_head,
    c.EnrolPerson: roster.enrol_person,
    c.TransferPerson: roster.transfer_person,
    c.ChangePosition: roster.change_position,
    c.SetAuthority: roster.set_authority,
    c.RecordDeparture: roster.record_departure,
    # sheets
    c.SubmitSheet: sheets.submit_sheet,
    c.PublishSheet: sheets.publish_sheet,
    c.ReopenSheet: sheets.reopen_sheet,
}
