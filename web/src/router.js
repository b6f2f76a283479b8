// The pages, the menu each role sees (meta.roles), and the guards: not signed in → 登录; a password
// that must be changed → 修改密码; a page outside the role's menu → 无权访问.
import { createRouter, createWebHashHistory } from 'vue-router'

const BUREAU = ['leading_group', 'office', 'supervision', 'assessor', 'unit_head', 'staff', 'party_group', 'viewer']
const OVERSIGHT = ['leading_group', 'office', 'supervision', 'party_group', 'viewer']
const WITH_PERSON = ['assessor', 'unit_head', 'staff']

export const MENU = [
  { name: 'home', path: '/', title: '工作台', icon: 'HomeFilled', roles: [...BUREAU, 'security_auditor', 'system_admin'] },
  { name: 'my-ledger', path: '/my-ledger', title: '我的台账', icon: 'Notebook', roles: WITH_PERSON },
  { name: 'sheets', path: '/sheets', title: '考核表', icon: 'Tickets', roles: [...OVERSIGHT, 'assessor', 'unit_head'] },
  { name: 'disputes', path: '/disputes', title: '申诉管理', icon: 'ChatLineSquare', roles: OVERSIGHT },
  { name: 'corrections', path: '/corrections', title: '更正/撤销', icon: 'EditPen', roles: ['leading_group', 'office', 'supervision', 'viewer'] },
  { name: 'missed', path: '/missed', title: '应扣未扣认定', icon: 'Warning', roles: ['office', 'leading_group', 'supervision', 'viewer'] },
  { name: 'bonus-claims', path: '/bonus-claims', title: '加分申报审核', icon: 'Trophy', roles: OVERSIGHT },
  { name: 'vetoes', path: '/vetoes', title: '一票否决', icon: 'CircleClose', roles: OVERSIGHT },
  { name: 'evaluations', path: '/evaluations', title: '测评与评定', icon: 'DataAnalysis', roles: OVERSIGHT },
  { name: 'results', path: '/results', title: '年度考核结果', icon: 'TrendCharts', roles: OVERSIGHT },
  { name: 'notices', path: '/notices', title: '考核结果公示', icon: 'Bell', roles: BUREAU },
  { name: 'plan', path: '/plan', title: '考核方案', icon: 'Setting', roles: BUREAU },
  { name: 'roster', path: '/roster', title: '名册', icon: 'OfficeBuilding', roles: OVERSIGHT },
  { name: 'calendar', path: '/calendar', title: '工作日历', icon: 'Calendar', roles: OVERSIGHT },
  { name: 'deadlines', path: '/deadlines', title: '期限与逾期', icon: 'AlarmClock', roles: OVERSIGHT },
  { name: 'bulletins', path: '/bulletins', title: '简报', icon: 'Reading', roles: BUREAU },
  { name: 'audit', path: '/audit', title: '审计日志', icon: 'Document', roles: ['security_auditor'] },
  { name: 'users', path: '/users', title: '用户管理', icon: 'User', roles: ['system_admin'] },
]

const pages = {
  home: () => import('./pages/Home.vue'),
  'my-ledger': () => import('./pages/MyLedger.vue'),
  sheets: () => import('./pages/Sheets.vue'),
  results: () => import('./pages/Results.vue'),
  notices: () => import('./pages/Notices.vue'),
  disputes: () => import('./pages/Disputes.vue'),
  corrections: () => import('./pages/Corrections.vue'),
  missed: () => import('./pages/Missed.vue'),
  'bonus-claims': () => import('./pages/BonusClaims.vue'),
  vetoes: () => import('./pages/Vetoes.vue'),
  evaluations: () => import('./pages/Evaluations.vue'),
  plan: () => import('./pages/Plan.vue'),
  roster: () => import('./pages/Roster.vue'),
  calendar: () => import('./pages/Calendar.vue'),
  deadlines: () => import('./pages/Deadlines.vue'),
  bulletins: () => import('./pages/Bulletins.vue'),
  audit: () => import('./pages/Audit.vue'),
  users: () => import('./pages/Users.vue'),
}

const routes = [
  { path: '/login', name: 'login', component: () => import('./pages/Login.vue'), meta: { public: true, title: '登录' } },
  { path: '/password', name: 'password', component: () => import('./pages/Password.vue'), meta: { title: '修改密码', bare: true } },
  {
    path: '/',
    component: () => import('./layout/Layout.vue'),
    children: [
      ...MENU.map((m) => ({ path: m.path, name: m.name, component: pages[m.name], meta: { title: m.title, roles: m.roles } })),
      { path: '/sheets/:code', name: 'sheet', component: () => import('./pages/Sheet.vue'), meta: { title: '考核表详情', parent: 'sheets', roles: [...BUREAU] } },
      { path: '/forbidden', name: 'forbidden', component: () => import('./pages/Forbidden.vue'), meta: { title: '无权访问' } },
      { path: '/:rest(.*)*', name: 'not-found', component: () => import('./pages/Forbidden.vue'), meta: { title: '页面不存在', missing: true } },
    ],
  },
]

const router = createRouter({ history: createWebHashHistory(), routes })

router.beforeEach(async (to) => {
  if (to.meta.public) return true
  const { useSession } = await import('./stores/session')
  const session = useSession()
  const user = await session.load()
  if (!user) return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} }
  if (user.must_change_password && to.name !== 'password') return { name: 'password' }
  if (to.meta.roles && !to.meta.roles.includes(user.role)) return { name: 'forbidden', query: { from: to.fullPath } }
  return true
})

router.afterEach((to) => {
  document.title = `${to.meta.title ? to.meta.title + ' - ' : ''}绩效台账`
})

export default router
