"""Domain errors (业务错误) with stable machine-readable codes.

Every refusal the ledger makes is one of these. The API turns them into RFC 9457 problem
details in one handler (`api/errors.py`); nothing else maps errors to HTTP.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A command was refused. Nothing was written."""

    code = "DOMAIN_ERROR"
    status = 422  # the HTTP status the API uses for this kind of refusal
    message_zh = "操作被拒绝"
    message_en = "The command was refused"

    def __init__(self, detail_en: str = "", detail_zh: str = "", **facts: Any) -> None:
        self.detail_en = detail_en or self.message_en
        self.detail_zh = detail_zh or self.message_zh
        self.facts = facts
        super().__init__(f"{self.code}: {self.detail_en}")


class InvalidInput(DomainError):
    code = "INVALID_INPUT"
    status = 422
    message_zh = "输入不合法"
    message_en = "Invalid input"


class InvalidPoints(InvalidInput):
    code = "INVALID_POINTS"
    message_zh = "分值必须为正数且最多两位小数"
    message_en = "Points must be a positive decimal with at most two places"


class FactInFuture(InvalidInput):
    code = "FACT_IN_FUTURE"
    message_zh = "事实发生日期不能晚于今天"
    message_en = "The date of the fact is after today"


class NotFound(DomainError):
    code = "NOT_FOUND"
    status = 404
    message_zh = "对象不存在"
    message_en = "Not found"


class UnitNotFound(NotFound):
    code = "UNIT_NOT_FOUND"
    message_zh = "单位不存在"
    message_en = "Unknown unit"


class PersonNotFound(NotFound):
    code = "PERSON_NOT_FOUND"
    message_zh = "人员不存在"
    message_en = "Unknown person"


class PlanNotFound(NotFound):
    code = "PLAN_NOT_FOUND"
    message_zh = "该年度考核方案尚未建立"
    message_en = "No plan for that year"


class PeriodNotOpen(NotFound):
    code = "PERIOD_NOT_OPEN"
    message_zh = "该考核期尚未开启"
    message_en = "That assessment period has not been opened"


class SheetNotFound(NotFound):
    code = "SHEET_NOT_FOUND"
    message_zh = "考核表不存在"
    message_en = "No such sheet"


class BulletinNotFound(NotFound):
    code = "BULLETIN_NOT_FOUND"
    message_zh = "简报不存在"
    message_en = "No such bulletin"


class EntryNotFound(NotFound):
    code = "ENTRY_NOT_FOUND"
    message_zh = "扣分记录不存在"
    message_en = "No such entry"


class Conflict(DomainError):
    code = "CONFLICT"
    status = 409
    message_zh = "与现有记录冲突"
    message_en = "Conflicts with what is recorded"


class AlreadyExists(Conflict):
    code = "ALREADY_EXISTS"
    message_zh = "已存在"
    message_en = "Already exists"


class SheetClosed(Conflict):
    code = "SHEET_CLOSED"
    message_zh = "考核表已提交或已公布，不能再登记扣分"
    message_en = "The sheet is not open: entries are recorded only on open sheets"


class SheetStateInvalid(Conflict):
    code = "SHEET_STATE_INVALID"
    message_zh = "考核表当前状态不允许该操作"
    message_en = "The sheet's state does not allow this"


class EntryAlreadyReversed(Conflict):
    code = "ENTRY_ALREADY_REVERSED"
    message_zh = "该扣分已被撤销"
    message_en = "The entry has already been reversed"


class EntryIsCascaded(Conflict):
    code = "ENTRY_IS_CASCADED"
    message_zh = "连带扣分随单位扣分变动，请更正单位扣分"
    message_en = "A cascaded entry follows its unit entry: correct the unit entry instead"


class ItemCapExceeded(Conflict):
    code = "ITEM_CAP_EXCEEDED"
    message_zh = "该考核细则项目的累计扣分超过其分值上限"
    message_en = "Deductions against the item would exceed its maximum"


class ItemRequired(InvalidInput):
    code = "ITEM_REQUIRED"
    message_zh = "该考核表定义了考核细则，扣分必须指明项目"
    message_en = "The sheet defines items: the deduction must name one"


class ItemUnknown(InvalidInput):
    code = "ITEM_UNKNOWN"
    message_zh = "考核细则中没有该项目"
    message_en = "The sheet has no such item"


class ItemsInvalid(InvalidInput):
    code = "ITEMS_INVALID"
    message_zh = "考核细则项目分值合计必须为100分"
    message_en = "Item maxima must be positive and sum to 100"


class ResponsibleRequired(InvalidInput):
    code = "RESPONSIBLE_REQUIRED"
    message_zh = "单位扣分必须指明责任人（责任连带）"
    message_en = "A unit deduction must name the responsible person or persons"


class ResponsibleNotInUnit(InvalidInput):
    code = "RESPONSIBLE_NOT_IN_UNIT"
    message_zh = "责任人不属于被扣分单位"
    message_en = "A responsible person is not in the deducted unit on that date"


class FormNumberRequired(InvalidInput):
    code = "FORM_NUMBER_REQUIRED"
    message_zh = "效能监察扣分必须填写效能监察反馈单编号"
    message_en = "A supervision deduction must carry its feedback-form number"


class Forbidden(DomainError):
    code = "FORBIDDEN"
    status = 403
    message_zh = "无权执行该操作"
    message_en = "The actor's role does not allow this command"


class NotOnPanel(Forbidden):
    code = "ASSESSOR_NOT_ON_PANEL"
    message_zh = "考核人员不在本期考核组名单内，或该单位不在其考核范围内"
    message_en = "The assessor is not on this period's panel for that unit"


class NotUnitHead(Forbidden):
    code = "NOT_UNIT_HEAD"
    message_zh = "只有本单位主要负责人可以对本单位人员扣分或公布结果"
    message_en = "Only the head of the person's unit may do this"


class IdempotencyKeyReused(Conflict):
    code = "IDEMPOTENCY_KEY_REUSED"
    message_zh = "幂等键已用于另一个不同的请求"
    message_en = "The Idempotency-Key was already used for a different request"


class ConcurrentChange(Conflict):
    code = "CONCURRENT_CHANGE"
    message_zh = "记录已被并发修改，请重试"
    message_en = "The records changed concurrently; retry"


class StoreBusy(RuntimeError):
    """The store's write lock was held longer than the wait allows (a `jixiao rebuild` or a large
    import running beside the service). Nothing was written; the same request may be sent again.

    Not a DomainError: it refuses nothing by the rules, and the paths that log a refusal (which
    needs the write lock again) must not take it for one. The API answers it as a problem like a
    DomainError (api/errors.py)."""

    code = "STORE_BUSY"
    status = 503
    message_zh = "系统正忙（可能正在进行数据维护），本次操作未执行，请稍后重试"
    message_en = "The store is busy (maintenance may be running); nothing was done, retry later"

    def __init__(self, detail_en: str = "", detail_zh: str = "") -> None:
        self.detail_en = detail_en or self.message_en
        self.detail_zh = detail_zh or self.message_zh
        super().__init__(f"{self.code}: {self.detail_en}")


class NotAffected(Forbidden):
    code = "NOT_AFFECTED"
    message_zh = "只有被扣分的人员或单位（主要负责人）可以申诉"
    message_en = "Only the affected person, or the head of the affected unit, may dispute an entry"


class DisputeWindowClosed(InvalidInput):
    code = "DISPUTE_WINDOW_CLOSED"
    message_zh = "已超过申诉期限"
    message_en = "The window for disputing this entry has closed"


class SheetNotPublished(Conflict):
    code = "SHEET_NOT_PUBLISHED"
    message_zh = "考核表尚未公布，申诉期自公布之日起计算"
    message_en = "The sheet is not published yet; the dispute window runs from publication"


class SelfDeduction(Forbidden):
    code = "SELF_DEDUCTION"
    message_zh = "不能对本人扣分（由考核办公室或监察室登记）"
    message_en = "A person never deducts themselves (the office or the supervision office does)"


class BatchRefused(DomainError):
    """A batch (批量操作) in which at least one item was refused: nothing was written, and
    `problems` lists every refused item — its place in the batch, its code and its message."""

    code = "BATCH_REFUSED"
    status = 422
    message_zh = "批量操作中有项目不符合要求，全部未执行"
    message_en = "Items of the batch were refused; nothing was written"
