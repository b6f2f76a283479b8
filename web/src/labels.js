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
