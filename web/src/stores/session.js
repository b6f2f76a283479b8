// Who is signed in (from POST /auth/login or GET /auth/session), their CSRF token, and the global
// as-of moment (查看历史时点): when set, every page reads the system as it stood then, read-only.
import { defineStore } from 'pinia'
import router from '../router'

export const useSession = defineStore('session', {
  state: () => ({ user: null, csrf: null, asOf: null, loaded: false }),
  getters: {
    role: (s) => s.user?.role,
    readOnly: (s) => Boolean(s.asOf),
  },
  actions: {
    set(info) {
      this.user = info
      this.csrf = info?.csrf_token || null
      this.loaded = true
    },
    async load() {
      if (this.loaded) return this.user
      const { api } = await import('../api')
      try {
        this.set(await api.get('/auth/session'))
      } catch {
        this.set(null)
      }
      return this.user
    },
    expired() {
      this.user = null
      this.csrf = null
      if (router.currentRoute.value.name !== 'login') router.push({ name: 'login', query: { expired: '1' } })
    },
    mustChange() {
      if (this.user) this.user = { ...this.user, must_change_password: true }
      router.push({ name: 'password' })
    },
  },
})
