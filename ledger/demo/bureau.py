"""The demo bureau (演示数据): a district bureau with the departments the measures name, seven
branches, about 150 staff and a year of entries. Built only through commands, so every figure
in it is as real as any other: deterministic (seeded), and rebuildable from its events.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ledger.application import commands as c
from ledger.clock import Clock
from ledger.domain.actors import Actor, Role
from ledger.application.ledger import Ledger
from ledger.domain.periods import Track, parse_period

DEPARTMENTS = [
    ("D-BGS", "办公室"),
    ("D-RJK", "人教科"),
    ("D-JCS", "监察室"),
    ("D-CWK", "财务科"),
    ("D-FZK", "法制科"),
    ("D-SCK", "市场规范管理科"),
    ("D-QYK", "企业监督管理科"),
    ("D-SBK", "商标广告监督管理科"),
    ("D-XBK", "消费者权益保护科"),
    ("D-JJD", "经济检查大队"),
    ("D-XXZX", "信息中心"),
    ("D-GXH", "个体私营经济协会"),
]
BRANCHES = [
    ("B01", "城东分局"),
    ("B02", "城西分局"),
    ("B03", "城南分局"),
    ("B04", "城北分局"),
    ("B05", "开发区分局"),
    ("B06", "高新区分局"),
    ("B07", "新城分局"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN_MALE = ["伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "斌", "鹏", "辉", "建国", "志强", "海峰", "国华", "立新", "文博", "宏伟"]
GIVEN_FEMALE = ["芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "玲", "婷", "雪梅", "桂英", "秀兰", "晓燕", "丽娟", "慧敏", "春梅", "淑华", "玉兰", "红霞"]

KEY_ITEMS = [("K1", "重点工作任务完成情况", "60"), ("K2", "工作进度（25日报账数）", "25"), ("K3", "信息报送", "15")]
ROUTINE_ITEMS = [("R1", "依法行政", "30"), ("R2", "队伍建设", "25"), ("R3", "日常管理", "25"), ("R4", "综合治理", "20")]
HALF_ITEMS = [("H1", "岗位职责履行", "50"), ("H2", "工作效能", "30"), ("H3", "纪律作风", "20")]
MONTHLY_ITEMS = [("M1", "工作纪律", "30"), ("M2", "工作效能", "40"), ("M3", "工作作风", "30")]

UNIT_BASES = ["重点工作未按时序进度完成", "信息报送迟报", "执法案卷评查发现程序瑕疵", "窗口服务群众投诉经查属实", "安全生产检查台账不全"]
PERSON_BASES = ["上班迟到", "工作日志未按时填写", "会议无故缺席", "文书制作差错", "首问负责制落实不到位", "着装不规范"]


@dataclass
class DemoBureau:
    """What the demo built: who is who, for printing tokens and for tests."""

    year: int
    heads: dict[str, str] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)
    assessors: list[str] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)


def _name(rng: random.Random, gender: str, used: set[str]) -> str:
    while True:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN_MALE if gender == "male" else GIVEN_FEMALE)
        if name not in used:
            used.add(name)
            return name


def build_demo(ledger: Ledger, year: int = 2026, months: int = 12, seed: int = 2026) -> DemoBureau:
    """Build the demo bureau and its year `year` (every period opened, most published)."""
    rng = random.Random(seed)
    office = Actor("demo-office", Role.OFFICE)
    leading = Actor("demo-leading-group", Role.LEADING_GROUP)
    supervision = Actor("demo-supervision", Role.SUPERVISION)
    run = ledger.execute
    bureau = DemoBureau(year=year)
    # The demo is written as it happened: each step on a day after the facts it records (a fact
    # is never after "today"). Steps with no day of their own run just after the demo's months.
    original_clock = ledger.clock
    today = Clock(date(year + months // 12, months % 12 + 1, 10))
    ledger.clock = today

    # -- roster ------------------------------------------------------------------------------
    for code, name in DEPARTMENTS:
        run(office, c.RegisterUnit(code=code, name=name, kind="department", registered_on=date(2005, 1, 1)))
    for code, name in BRANCHES:
        run(office, c.RegisterUnit(code=code, name=name, kind="branch", registered_on=date(2005, 1, 1)))
    used: set[str] = set()
    serial = 0
    sizes = {code: 4 for code, _ in DEPARTMENTS} | {code: 14 for code, _ in BRANCHES}
    sizes["D-RJK"] = 6
    sizes["D-BGS"] = 6
    sizes["D-JJD"] = 8
    for unit, size in sizes.items():
        bureau.members[unit] = []
        for i in range(size):
            serial += 1
            code = f"P{serial:04d}"
            gender = "male" if rng.random() < 0.58 else "female"
            # Ages 24-59; some men 56+ and women 51+ make the senior class (R-ORG-3).
            birth = date(year - rng.randint(24, 59), rng.randint(1, 12), rng.randint(1, 28))
            tier = "middle_head" if i == 0 else ("middle_deputy" if i == 1 else "other")
            grade = {"middle_head": "正科级", "middle_deputy": "副科级", "other": rng.choice(["科员", "一级主任科员", "四级主任科员", "办事员"])}[tier]
            run(
                office,
                c.EnrolPerson(
                    code=code, name=_name(rng, gender, used), gender=gender, birth_date=birth, unit=unit, tier=tier,
                    position_grade=grade, joined_on=date(max(birth.year + 22, 2000), 7, 1),
                ),
            )  # fmt: skip
            bureau.members[unit].append(code)
        bureau.heads[unit] = bureau.members[unit][0]
        run(office, c.AppointHead(unit=unit, person=bureau.members[unit][0], effective_from=date(2015, 1, 1)))
    # One person outside the bureau's cadre-management authority (R-ORG-2): never assessed.
    outside = bureau.members["D-GXH"].pop()
    run(office, c.SetAuthority(person=outside, in_authority=False))
    bureau.notes["outside_authority"] = outside
    # A head change during the year (R-ORG-1) and a transfer (R-ORG-2).
    new_head = bureau.members["B07"][1]
    run(office, c.AppointHead(unit="B07", person=new_head, effective_from=date(year, 7, 1)))
    bureau.heads["B07"] = new_head
    moved = bureau.members["B02"][-1]
    run(office, c.TransferPerson(person=moved, unit="B03", effective_from=date(year, 5, 1)))
    bureau.members["B02"].remove(moved)
    bureau.notes["transferred"] = moved

    # -- plan --------------------------------------------------------------------------------
    run(office, c.PlanYear(year=year))
    # R-STAFF-5: a senior member of staff exempted from daily assessment for health reasons,
    # approved by the Party group before the year's sheets open: no monthly sheets, no target bonus.
    party = Actor("demo-party-group", Role.PARTY_GROUP)
    exempt = next(
        p for unit in ("D-SCK", "D-QYK", "D-SBK", "D-XBK") for p in bureau.members[unit][2:]
        if ledger.aggregates().roster().age_class_of(p, date(year, 11, 30)).value == "senior"
    )  # fmt: skip
    run(party, c.ApproveExemption(year=year, person=exempt, reason="因病长期休养，本人申请免于日常考核", application_ref=f"免考申〔{year}〕1号"))
    for members in bureau.members.values():
        if exempt in members:
            members.remove(exempt)
    bureau.notes["exempt"] = exempt
    branch_codes = [code for code, _ in BRANCHES]
    department_codes = [code for code, _ in DEPARTMENTS]
    rjk, bgs, fzk = bureau.members["D-RJK"], bureau.members["D-BGS"], bureau.members["D-FZK"]
    bureau.assessors = [rjk[2], rjk[3], bgs[2], fzk[1]]
    panels = [
        {"department": "D-RJK", "assessors": [rjk[2], rjk[3]], "units": branch_codes},
        {"department": "D-FZK", "assessors": [fzk[1]], "units": branch_codes[:4]},
        {"department": "D-BGS", "assessors": [bgs[2]], "units": department_codes},
    ]

    def items(spec: list[tuple[str, str, str]]) -> list[dict[str, str]]:
        return [{"code": a, "title": b, "points_max": m} for a, b, m in spec]

    assessor_of = {p: Actor(f"demo-assessor-{p}", Role.ASSESSOR, person=p) for p in bureau.assessors}
    first_half_panel = rjk[2]
    for q in range(1, 5):
        run(office, c.OpenPeriod(period=f"{year}-Q{q}", items={Track.KEY: items(KEY_ITEMS)}, panels=panels))
    for h in (1, 2):
        run(office, c.OpenPeriod(period=f"{year}-H{h}", items={Track.ROUTINE: items(ROUTINE_ITEMS), Track.HALF: items(HALF_ITEMS)}, panels=panels))
    for m in range(1, months + 1):
        run(office, c.OpenPeriod(period=f"{year}-{m:02d}", items={Track.MONTHLY: items(MONTHLY_ITEMS)}))

    # -- a year of entries ----------------------------------------------------------------------
    form_serial = 0
    first_unit_entry = None
    for m in range(1, months + 1):
        period = parse_period(f"{year}-{m:02d}")
        # Unit heads deduct their own staff (monthly review); never themselves (SELF_DEDUCTION).
        for unit, members in bureau.members.items():
            head = bureau.heads[unit] if not (unit == "B07" and m < 7) else bureau.members["B07"][0]
            head_actor = Actor(f"demo-head-{head}", Role.UNIT_HEAD, person=head)
            for person in members:
                if rng.random() > 0.22 or person == head:
                    continue
                run(
                    head_actor,
                    c.RecordDeduction(
                        person=person, points=rng.choice(["0.5", "1", "1.5", "2"]), item=rng.choice(["M1", "M2", "M3"]),
                        basis=rng.choice(PERSON_BASES), occurred_on=date(year, m, rng.randint(1, 25)),
                    ),
                )  # fmt: skip
        # Assessors deduct branches' key work at quarter end and units' routine/half at half end.
        if m % 3 == 0:
            for branch in rng.sample(branch_codes, 4):
                assessor = assessor_of[first_half_panel if rng.random() < 0.7 else rjk[3]]
                member = rng.choice(bureau.members[branch][2:])
                result = run(
                    assessor,
                    c.RecordDeduction(
                        unit=branch, track="key", points=rng.choice(["0.5", "1", "2", "3"]), item=rng.choice(["K1", "K2", "K3"]),
                        basis=rng.choice(UNIT_BASES), occurred_on=date(year, m, rng.randint(1, 24)),
                        responsible=[{"person": bureau.heads[branch] if branch != "B07" or m >= 7 else bureau.members["B07"][0]}, {"person": member}],
                    ),
                )  # fmt: skip
                first_unit_entry = first_unit_entry or result["entry_id"]
        if m in (6, 11):
            for branch in rng.sample(branch_codes, 3):
                run(
                    assessor_of[rjk[3]],
                    c.RecordDeduction(
                        unit=branch, track="routine", points=rng.choice(["1", "1.5", "2"]), item=rng.choice(["R1", "R2", "R3", "R4"]),
                        basis=rng.choice(UNIT_BASES), occurred_on=date(year, m, rng.randint(1, 24)),
                        responsible=[{"person": rng.choice(bureau.members[branch][1:])}],
                    ),
                )  # fmt: skip
            for dept in rng.sample(department_codes, 4):
                run(
                    assessor_of[bgs[2]],
                    c.RecordDeduction(
                        unit=dept, points=rng.choice(["0.5", "1", "2"]), item=rng.choice(["H1", "H2", "H3"]),
                        basis=rng.choice(UNIT_BASES), occurred_on=date(year, m, rng.randint(1, 24)),
                        responsible=[{"person": rng.choice(bureau.members[dept])}],
                    ),
                )  # fmt: skip
        # The supervision office deducts at any time, with a numbered feedback form (R-SUP-1).
        if m % 2 == 1:
            form_serial += 1
            branch = rng.choice(branch_codes)
            run(
                supervision,
                c.RecordDeduction(
                    unit=branch, track="routine", points="1", basis="效能监察：工作时间脱岗", occurred_on=date(year, m, 15),
                    form_no=f"JC-{year}-{form_serial:03d}", responsible=[{"person": rng.choice(bureau.members[branch][2:]), "points": "0.5"}],
                ),
            )  # fmt: skip
            form_serial += 1
            person = rng.choice(bureau.members[rng.choice(department_codes[:9])])
            run(
                supervision,
                c.RecordDeduction(
                    person=person, points="1", basis="效能监察：窗口服务态度生硬", occurred_on=date(year, m, 18), form_no=f"JC-{year}-{form_serial:03d}"
                ),
            )  # fmt: skip
        # Close the month: units submit and publish their staff's monthly results (R-SHEET-3).
        # Due by the 3rd of the next month (R-CAL-3): published on the 2nd, except that 城北分局
        # (B03) publishes May's results late, on 8 June, and is on the office's overdue list.
        if m <= months - 2:
            for unit, members in [*bureau.members.items(), ("B03", [moved])]:
                on = date(year + m // 12, m % 12 + 1, 8 if (unit, m) == ("B03", 5) else 2)
                ledger.clock = Clock(on)
                for person in members:
                    code = f"{person}:{period.code}:monthly"
                    run(office, c.SubmitSheet(sheet=code))
                    run(office, c.PublishSheet(sheet=code))
            ledger.clock = today

    # -- corrections and findings -------------------------------------------------------------
    found_person = bureau.members["B03"][5]
    finding = run(
        office,
        c.RecordMissedDeduction(
            person=found_person, points="1.5", basis="季度督查发现：执法记录仪未按规定使用，分局未扣分", occurred_on=date(year, min(months, 4), 12),
            found_on=date(year, min(months, 10), 20),
        ),
    )  # fmt: skip
    bureau.notes["missed_finding"] = finding
    reversed_entry = first_unit_entry
    bureau.notes["reversal"] = run(
        leading, c.ReverseEntry(entry_id=reversed_entry, reason="经复核，该项工作已按期完成，属误扣", decision_ref=f"绩领〔{year}〕3号")
    )
    target = run(
        assessor_of[rjk[3]],
        c.RecordDeduction(
            unit="B05", track="key", points="2", item="K2", basis="进度考核：25日报账数未达序时进度", occurred_on=date(year, min(months, 9), 10),
            responsible=[{"person": bureau.heads["B05"]}],
        ),
    )  # fmt: skip
    bureau.notes["amendment"] = run(
        leading,
        c.AmendEntry(entry_id=target["entry_id"], points="1", reason="报账数据口径有误，改扣1分", decision_ref=f"绩领〔{year}〕5号"),
    )
    # A policy number changed by an approved plan adjustment (R-PLAN-2).
    run(
        leading,
        c.ChangePolicy(
            year=year, key="dispute_window_working_days", value="7", reason="申诉材料收集时间不足，延长申诉期", decision_ref=f"绩领〔{year}〕2号",
            effective_from=date(year, 3, 1),
        ),
    )  # fmt: skip
    # Quarter and half sheets: Q1-Q3 and H1 reported within 3 working days of the window
    # (R-CAL-3; Q2's key-work sheet of B06 a week late), published, and the record forms filed.
    working_days = ledger.aggregates().working_days()
    for period in [f"{year}-Q1", f"{year}-Q2", f"{year}-Q3", f"{year}-H1"]:
        closes = ledger.aggregates().plan(year).period(period)["window"][1]
        due, _ = working_days.add_working_days(closes, 3)
        for unit in branch_codes + department_codes:
            track = "key" if period[5] == "Q" else ("routine" if unit.startswith("B") else "half")
            if period[5] == "Q" and unit.startswith("D"):
                continue
            on = due + timedelta(days=7) if (unit, period) == ("B06", f"{year}-Q2") else due
            ledger.clock = Clock(on)
            run(office, c.SubmitSheet(sheet=f"{unit}:{period}:{track}"))
            run(office, c.PublishSheet(sheet=f"{unit}:{period}:{track}"))
        if period[5] == "Q":
            filed_on, _ = working_days.add_working_days(parse_period(period).end, 2)
            for unit in branch_codes + department_codes:
                ledger.clock = Clock(filed_on + timedelta(days=10 if unit == "B02" else 0))
                run(office, c.FileRecordForms(unit=unit, quarter=period))
    ledger.clock = today
    _dispute_and_bulletin(ledger, bureau, office, leading, supervision)
    if months >= 10:
        _notice_october(ledger, bureau, office, leading)
    if months == 12:
        from ledger.demo.annual_year import close_year

        close_year(ledger, bureau)
    ledger.clock = original_clock
    return bureau


def _notice_october(ledger: Ledger, bureau: DemoBureau, office: Actor, leading: Actor) -> None:
    """October's staff results publicly noticed (公示) by the 3rd of November — Mon 2 Nov to Thu 5 Nov,
    three working days (3, 4, 5) — and confirmed by the leading group on Fri 6 Nov."""
    year = bureau.year
    saved_clock = ledger.clock
    try:
        ledger.clock = Clock(date(year, 11, 2))
        ledger.execute(office, c.PublishNotice(scope=f"{year}-10", starts_on=date(year, 11, 2), ends_on=date(year, 11, 5)))
        ledger.clock = Clock(date(year, 11, 6))
        ledger.execute(leading, c.ConfirmResults(scope=f"{year}-10"))
    finally:
        ledger.clock = saved_clock


def _dispute_and_bulletin(ledger: Ledger, bureau: DemoBureau, office: Actor, leading: Actor, supervision: Actor) -> None:
    """A resolved dispute (R-DISPUTE-1) and the bulletin that reports it with the log's digest
    (R-AUDIT-1). The disputed entry is a supervision deduction on a person's March sheet,
    published on 2 April: filed within 5 working days, reviewed, reversed."""
    year = bureau.year
    run = ledger.execute
    saved_clock = ledger.clock
    entries = [
        (f"{p}:{year}-03:monthly", no, e)
        for ms in bureau.members.values()
        for p in ms
        for no, e in ledger.aggregates().sheet(f"{p}:{year}-03:monthly").entries.items()
        if e["source"] == "supervision" and not e["reversed"] and ledger.aggregates().sheet(f"{p}:{year}-03:monthly").status == "published"
    ]
    if not entries:
        return  # a demo of fewer than five months has no published March
    sheet, no, _ = entries[0]
    entry_id = f"{sheet}:{no}"
    person = sheet.split(":")[0]
    ledger.clock = Clock(date(year, 4, 7))
    run(Actor("demo-staff-dispute", Role.STAFF, person=person), c.FileDispute(entry_id=entry_id, reason="当日在窗口接待群众，服务用语规范，有监控录像为证"))
    ledger.clock = Clock(date(year, 4, 14))
    run(supervision, c.ReviewDispute(entry_id=entry_id, recommendation="reverse", findings="调阅窗口监控录像，未见服务态度生硬情形，扣分依据不足"))
    ledger.clock = Clock(date(year, 4, 20))
    bureau.notes["dispute"] = run(
        leading, c.DecideDispute(entry_id=entry_id, decision="reverse", reason="经监察室审查，扣分依据不足，予以撤销", decision_ref=f"绩领〔{year}〕6号")
    )
    bureau.notes["disputed_entry"] = entry_id
    bureau.notes["bulletin"] = run(
        office,
        c.PublishBulletin(
            number=f"{year}-03", period=f"{year}-Q3", title=f"{year}年第3期工作绩效管理简报",
            body=f"通报一至三季度考核情况；{entry_id} 经申诉复核予以撤销（绩领〔{year}〕6号）。本期附事件日志摘要，可用 jixiao verify 核验。",
        ),
    )  # fmt: skip
    ledger.clock = saved_clock


DEMO_USERS: list[tuple[str, str, Role]] = [
    ("demo-office", "考核办公室（人教科）", Role.OFFICE),
    ("demo-leading-group", "绩效管理领导小组", Role.LEADING_GROUP),
    ("demo-supervision", "监察室", Role.SUPERVISION),
    ("demo-party-group", "局党组", Role.PARTY_GROUP),
    ("demo-viewer", "审计查看", Role.VIEWER),
    ("demo-security-auditor", "安全审计员", Role.SECURITY_AUDITOR),
    ("demo-system-admin", "系统管理员", Role.SYSTEM_ADMIN),
]


def demo_users(bureau: DemoBureau) -> list[tuple[str, str, Role, str | None]]:
    """One user per role: (user id, name, role, person)."""
    users = [(u, n, r, None) for u, n, r in DEMO_USERS]
    users.append(("demo-assessor", "人教科考核人员", Role.ASSESSOR, bureau.assessors[0]))
    users.append(("demo-unit-head", "城东分局局长", Role.UNIT_HEAD, bureau.heads["B01"]))
    users.append(("demo-staff", "城东分局工作人员", Role.STAFF, bureau.members["B01"][3]))
    return users
