/*
| Named limiters. Sign-in uses two: per account (soft lockout of one account after a few wrong
| passwords) and per IP (one address guessing many accounts). Both live in the database store,
| so a lockout survives restarts and does not depend on Redis.
*/
import limiter from '@adonisjs/limiter/services/main'

export const SIGN_IN_LIMITS = {
  account: { requests: 5, duration: '15 mins', blockDuration: '15 mins' },
  ip: { requests: 30, duration: '15 mins', blockDuration: '15 mins' },
} as const

export function signInByAccount() {
  return limiter.use(SIGN_IN_LIMITS.account)
}

export function signInByIp() {
  return limiter.use(SIGN_IN_LIMITS.ip)
}

/** Password changes and MFA confirmation: a slower brute force is still one. */
export const sensitiveFormThrottle = limiter.define('sensitive_forms', (ctx) => {
  return limiter
    .allowRequests(10)
    .every('5 minutes')
    .usingKey(`sensitive_${ctx.auth.user?.id ?? ctx.request.ip()}`)
})
