import type { HttpContext } from '@adonisjs/core/http'
import { errors as authErrors } from '@adonisjs/auth'
import User from '#models/user'
import audit from '#services/audit_service'
import DomainError from '#exceptions/domain_error'
import { signInByAccount, signInByIp } from '#start/limiter'

export type SignInOutcome = { kind: 'complete'; user: User } | { kind: 'mfa'; user: User }

/**
 * Step one of signing in: the password. Failed attempts count against both the account and the
 * IP; either limiter blocking gives a soft lockout (wait, then try again) which is audited once.
 */
export default class AttemptSignIn {
  async handle(ctx: HttpContext, email: string, password: string): Promise<SignInOutcome> {
    const accountKey = `sign_in:account:${email.toLowerCase()}`
    const ipKey = `sign_in:ip:${ctx.request.ip()}`
    const byAccount = signInByAccount()
    const byIp = signInByIp()
    const meta = audit.fromRequest(ctx)

    for (const [limiter, key] of [
      [byAccount, accountKey],
      [byIp, ipKey],
    ] as const) {
      if (await limiter.isBlocked(key)) {
        const minutes = Math.max(1, Math.ceil((await limiter.availableIn(key)) / 60))
        await audit.record({
          ...meta,
          action: 'auth.sign_in_blocked',
          target: { type: 'account', id: null, label: email },
        })
        throw new DomainError('auth.locked_out', 'email', { minutes }, 429)
      }
    }

    let user: User
    try {
      user = await User.verifyCredentials(email.toLowerCase(), password)
    } catch (error) {
      if (!(error instanceof authErrors.E_INVALID_CREDENTIALS)) throw error
      const [accountState, ipState] = await Promise.all([
        byAccount.increment(accountKey),
        byIp.increment(ipKey),
      ])
      await audit.record({
        ...meta,
        action: 'auth.sign_in_failed',
        target: { type: 'account', id: null, label: email },
      })
      for (const [limiter, key, state] of [
        [byAccount, accountKey, accountState],
        [byIp, ipKey, ipState],
      ] as const) {
        if (state.remaining <= 0) {
          await limiter.block(key, limiter.blockDuration)
          await audit.record({
            ...meta,
            action: 'auth.locked_out',
            target: {
              type: key.includes(':ip:') ? 'ip' : 'account',
              id: null,
              label: key.split(':').pop(),
            },
          })
        }
      }
      throw new DomainError('auth.invalid_credentials', 'email')
    }

    if (!user.canSignIn) {
      await audit.record({
        ...meta,
        action: 'auth.sign_in_refused',
        target: { type: 'user', id: user.id, label: user.email },
        after: { reason: user.isDisabled ? 'disabled' : 'locked' },
      })
      throw new DomainError(
        user.isDisabled ? 'auth.account_disabled' : 'auth.account_locked',
        'email'
      )
    }

    await byAccount.delete(accountKey)
    return user.mfaEnabled ? { kind: 'mfa', user } : { kind: 'complete', user }
  }
}
