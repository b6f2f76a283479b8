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

async function request(method, path, { params, body } = {}) {
  const session = useSession()
  const url = new URL(path, window.location.origin)
  const query = { ...(params || {}) }
  if (method === 'GET' && session.asOf && !path.startsWith('/auth') && path !== '/me' && !path.startsWith('/users') && !path.startsWith('/audit')) {
    query.as_of = session.asOf
  }
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, v)
  const headers = { Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (method !== 'GET' && session.csrf) headers['X-CSRF-Token'] = session.csrf
  const response = await fetch(url, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await response.text()
  const data = text ? JSON.parse(text) : null
  if (!response.ok) {
    const error = new ApiError(response.status, data)
    if (response.status === 401 && !path.startsWith('/auth/login')) session.expired()
    if (error.code === 'PASSWORD_CHANGE_REQUIRED') session.mustChange()
    throw error
  }
  return data
}

// A file for a deduction's basis or a claim's evidence: answers its reference `<sha256>:<name>`.
async function upload(file) {
  const session = useSession()
  const form = new FormData()
  form.append('file', file)
  const headers = { Accept: 'application/json' }
  if (session.csrf) headers['X-CSRF-Token'] = session.csrf
  const response = await fetch('/attachments', { method: 'POST', body: form, headers, credentials: 'same-origin' })
  const data = await response.json().catch(() => null)
  if (!response.ok) throw new ApiError(response.status, data)
  return data
}

// The bureau's units for a select; none where the reader may not list them.
export const listUnits = () => request('GET', '/units').catch(() => [])

export const attachmentName = (ref) => ref.slice(ref.indexOf(':') + 1)
export const attachmentUrl = (ref) => `/attachments/${ref.slice(0, ref.indexOf(':'))}`

export const api = {
  get: (path, params) => request('GET', path, { params }),
  post: (path, body = {}) => request('POST', path, { body }),
  upload,
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
