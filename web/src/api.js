// The one way the UI talks to the service: the public API, same origin, with the session cookie.
// Writes carry the session's CSRF token; a problem (RFC 9457) becomes an ApiError with its Chinese
// detail and the field it names; every read carries the global as-of moment when one is set.
import { useSession } from './stores/session'

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail_zh || problem?.detail || `请求失败（${status}）`)
    this.status = status
    this.code = problem?.code
    this.field = problem?.field
    this.problem = problem || {}
  }
}

// The URL of a call: its parameters, and for a read the global as-of moment (not for the sign-in,
// one's own account, the accounts and the audit log, which are read as they stand).
function urlOf(method, path, params) {
  const session = useSession()
  const url = new URL(path, window.location.origin)
  const query = { ...(params || {}) }
  if (method === 'GET' && session.asOf && !path.startsWith('/auth') && path !== '/me' && !path.startsWith('/users') && !path.startsWith('/audit')) {
    query.as_of = session.asOf
  }
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, v)
  return url
}

// A refused call: its problem as an ApiError; a lost session goes back to 登录.
async function refusal(response, path) {
  const session = useSession()
  const data = await response.json().catch(() => null)
  const error = new ApiError(response.status, data)
  if (response.status === 401 && !path.startsWith('/auth/login')) session.expired()
  if (error.code === 'PASSWORD_CHANGE_REQUIRED') session.mustChange()
  return error
}

async function request(method, path, { params, body } = {}) {
  const session = useSession()
  const headers = { Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (method !== 'GET' && session.csrf) headers['X-CSRF-Token'] = session.csrf
  const response = await fetch(urlOf(method, path, params), { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) })
  if (!response.ok) throw await refusal(response, path)
  const text = await response.text()
  return text ? JSON.parse(text) : null
}

// A multipart upload of one `file` (and any other form `fields`) to `path`; `params` go in the query.
export async function uploadTo(path, file, fields = {}, params = {}) {
  const session = useSession()
  const form = new FormData()
  form.append('file', file)
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== null) form.append(k, v)
  const headers = { Accept: 'application/json' }
  if (session.csrf) headers['X-CSRF-Token'] = session.csrf
  const response = await fetch(urlOf('POST', path, params), { method: 'POST', body: form, headers, credentials: 'same-origin' })
  if (!response.ok) throw await refusal(response, path)
  return response.json().catch(() => null)
}

// A file for a deduction's basis or a claim's evidence: answers its reference `<sha256>:<name>`.
const upload = (file) => uploadTo('/attachments', file)

// The file name a download names: `filename*=UTF-8''…` (RFC 5987), else `filename="…"`.
export function dispositionName(header) {
  if (!header) return ''
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header)
  if (star) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''))
    } catch {
      /* a malformed name: the plain one */
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/.exec(header)
  return plain ? plain[1].trim() : ''
}

// A document (Excel, PDF, Word) read like any other GET — with the session and the as-of moment —
// and saved under the name the service gives it. A refusal throws the problem's ApiError.
export async function download(path, params = {}) {
  const response = await fetch(urlOf('GET', path, params), { headers: { Accept: '*/*' }, credentials: 'same-origin' })
  if (!response.ok) throw await refusal(response, path)
  const blob = await response.blob()
  const name = dispositionName(response.headers.get('Content-Disposition')) || path.split('/').pop()
  const href = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = href
  a.download = name
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(href), 60_000)
  return name
}

// The bureau's units for a select; none where the reader may not list them.
export const listUnits = () => request('GET', '/units').catch(() => [])

export const attachmentName = (ref) => ref.slice(ref.indexOf(':') + 1)
export const attachmentUrl = (ref) => `/attachments/${ref.slice(0, ref.indexOf(':'))}`

export const api = {
  get: (path, params) => request('GET', path, { params }),
  post: (path, body = {}) => request('POST', path, { body }),
  upload,
  uploadTo,
  download,
}

const SCHEMA_ZH = {
  missing: '必填', string_too_short: '不能为空', string_too_long: '内容过长', string_type: '必填', string_pattern_mismatch: '格式不正确',
  date_from_datetime_parsing: '日期格式不正确', date_parsing: '日期格式不正确', date_type: '请选择日期', value_error: '内容不符合要求',
}

// Where a refusal belongs on a form: next to the fields it names (the problem's `field`, or each
// schema error's field), else above the form. `guess(e)` may name the field for a code that names
// none (ALREADY_EXISTS on a number). Returns { fields: {name: message}, general: message | '' }.
export function placeProblem(e, form, guess = () => undefined) {
  const fields = {}
  const schema = Array.isArray(e.problem?.errors) ? e.problem.errors : null
  if (schema?.length) {
    let rest = false
    for (const s of schema) {
      const f = s.loc?.[0] === 'body' ? s.loc[1] : undefined
      const zh = s.reason?.split(' / ')[1] || SCHEMA_ZH[s.type] || '内容不符合要求'
      if (f && f in form && !fields[f]) fields[f] = zh
      else rest = true
    }
    return { fields, general: rest ? e.message : '' }
  }
  const f = e.field ? String(e.field).split('.')[0] : guess(e)
  return f && f in form ? { fields: { [f]: e.message }, general: '' } : { fields, general: e.message }
}
