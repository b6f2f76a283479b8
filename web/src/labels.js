import { useSession } from './stores/session'

// Chinese names for every enum the API returns (the UI never shows a code where a name exists).
export const ROLE = {
  leading_group: '绩效管理领导小组', office: '考核办公室', supervision: '监察室', assessor: '考核人员', unit_head: '单位主要负责人',
  staff: '工作人员', party_group: '局党组', viewer: '查看人员', security_auditor: '安全审计员', system_admin: '系统管理员',
}
export const SHEET_STATUS = { open: '考核中', submitted: '已报送', published: '已公布' }
export const TRACK = { key: '重点工作', routine: '常规工作', half: '半年考核', monthly: '月度考核' }
export const ENTRY_STATUS = { active: '有效', reversed: '已撤销', amended: '已更正' }
export const SOURCE = { assessment: '考核部门', unit_review: '单位考核', supervision: '效能监察', cascade: '责任连带', missed_finding: '应扣未扣补扣', missed_double: '应扣未扣加倍' }
export const GRADE = { excellent: '优秀', good: '良好', fair: '一般', poor: '差', pending: '待定' }
export const CS_GRADE = { excellent: '优秀', competent: '称职', basically_competent: '基本称职', incompetent: '不称职', pending: '待定' }
export const USER_STATUS = { active: '正常', locked: '已锁定', disabled: '已停用' }
export const OUTCOME = { accepted: '成功', refused: '被拒绝', read: '查看' }
export const MEETS = (v) => (v === true ? '达标' : v === false ? '不达标' : '待定')

// A rate kept exact by the ledger (text such as '0.995791666…') shown as a percentage rounded
// half-up to 2 places, in decimal digits rather than floating point: '0.9957916…' → '99.58%'.
export function ratePercent(rate) {
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(rate == null ? '' : String(rate))
  if (!m) return rate == null || rate === '' ? '—' : String(rate)
  const [, sign, whole, frac = ''] = m
  let hundredths = BigInt(whole + frac.slice(0, 4).padEnd(4, '0')) // the rate × 10,000
  if ((frac[4] || '0') >= '5') hundredths += 1n
  const text = hundredths.toString().padStart(3, '0')
  return `${hundredths === 0n ? '' : sign}${text.slice(0, -2)}.${text.slice(-2)}%`
}
export const name = (table, code) => (code == null ? '—' : table[code] ?? code)

const BEIJING = 'Asia/Shanghai'
export function beijingTime(iso) {
  if (!iso) return '—'
  const d = new Date(iso)
  const parts = new Intl.DateTimeFormat('zh-CN', { timeZone: BEIJING, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).formatToParts(d)
  const get = (t) => parts.find((p) => p.type === t)?.value
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`
}
export function chineseDate(isoDate) {
  if (!isoDate) return '—'
  const [y, m, d] = isoDate.slice(0, 10).split('-')
  return `${y}年${Number(m)}月${Number(d)}日`
}

// The bureau's name as the service prints it on its forms (JIXIAO_BUREAU_NAME, from the session).
export const bureauName = () => useSession().user?.bureau_name || ''

// The bureau's date (the service's today: Beijing time, or the date a demo fixes), YYYY-MM-DD.
export const beijingToday = () => useSession().user?.today || new Intl.DateTimeFormat('en-CA', { timeZone: BEIJING }).format(new Date())
// The year on show: the as-of moment's, else this year in Beijing.
export const currentYear = (asOf) => Number(asOf?.slice(0, 4)) || Number(beijingToday().slice(0, 4))

const CN_NUMBER = ['一', '二', '三', '四']
// 2026-Q1 → 2026年第一季度, 2026-H1 → 2026年上半年, 2026-03 → 2026年3月, 2026 → 2026年度.
export function periodName(code) {
  const m = /^(\d{4})(?:-(?:Q([1-4])|H([12])|(\d{2})))?$/.exec(code || '')
  if (!m) return code || '—'
  if (m[2]) return `${m[1]}年第${CN_NUMBER[m[2] - 1]}季度`
  if (m[3]) return `${m[1]}年${m[3] === '1' ? '上' : '下'}半年`
  if (m[4]) return `${m[1]}年${Number(m[4])}月`
  return `${m[1]}年度`
}
// The periods of a year a report may cover: its quarters, its halves and its months.
export const quartersOf = (year) => [1, 2, 3, 4].map((q) => `${year}-Q${q}`)
export const reportPeriodsOf = (year) => [...quartersOf(year), `${year}-H1`, `${year}-H2`, ...Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`)]

// 公示 (public notice of results): "2026" is the year's annual results, "2026-03" a month's.
export const noticeScopeName = (scope) => (/^\d{4}$/.test(scope || '') ? `${scope}年度考核结果` : `${periodName(scope)}月度考核结果`)
export const NOTICE_STAGE_TAG = { scheduled: 'info', open: 'warning', ended: 'danger', confirmed: 'success' }
// The figures a notice lists, and what may change after it (确认后变更).
export const NOTICE_FIGURE = {
  annual_rate: '得分率', grade_zh: '等次', cs_grade_zh: '公务员等次', quota_place: '占优秀名额', payout_yuan: '目标考评奖（元）',
  score: '得分', outcome_zh: '考核结果', rank: '排名', vetoed: '一票否决', deducted: '扣分', entries_active: '有效扣分记录',
}
export const figureText = (v) => (v === true ? '是' : v === false ? '否' : v == null || v === '' ? '—' : String(v))

// What a roster import changed (or would change, 预检): the counts POST /roster/import answers.
export const ROSTER_IMPORT_COUNT = {
  units_registered: '新增单位', persons_enrolled: '新增人员', transfers: '人员调动', positions_changed: '职务层次/职级变更',
  authority_changes: '干部管理权限变更', departures: '人员离职', heads_appointed: '任命负责人', events: '写入事件',
}

// The formats a document downloads in.
export const DOCUMENT_FORMAT = { xlsx: '导出 Excel', pdf: '导出 PDF', docx: '下载 Word' }
