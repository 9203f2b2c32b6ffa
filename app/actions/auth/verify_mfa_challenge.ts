import { DateTime } from 'luxon'
import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import User from '#models/user'
import RecoveryCode from '#models/recovery_code'
import audit from '#services/audit_service'
import totp from '#services/totp_service'
import DomainError from '#exceptions/domain_error'
import { signInByAccount } from '#start/limiter'
import { affectedRows } from '#services/db_time'

/** The pending second step lives for 5 minutes after the password was accepted. */
const PENDING_TTL_MS = 5 * 60_000

/**
 * Step two: a TOTP code (accepted once, one step of drift) or a recovery code (usable once).
 * Wrong codes count against the same per-account limiter as wrong passwords.
 */
export default class VerifyMfaChallenge {
  pendingUserId(ctx: HttpContext): number | null {
    const pending = ctx.session.get('mfa_pending') as { userId: number; at: number } | undefined
    if (!pending || Date.now() - pending.at > PENDING_TTL_MS) return null
    return pending.userId
  }

  async handle(
    ctx: HttpContext,
    input: { code?: string | null; recoveryCode?: string | null }
  ): Promise<{ user: User; method: 'totp' | 'recovery_code' }> {
    const userId = this.pendingUserId(ctx)
    if (!userId) throw new DomainError('auth.mfa_expired', 'code')
    const user = await User.findOrFail(userId)
    const limiter = signInByAccount()
    const key = `sign_in:account:${user.email.toLowerCase()}`
    const meta = { ...audit.fromRequest(ctx), actor: { id: user.id, label: user.email } }
    const target = { type: 'user', id: user.id, label: user.email }

    if (await limiter.isBlocked(key)) {
      const minutes = Math.max(1, Math.ceil((await limiter.availableIn(key)) / 60))
      throw new DomainError('auth.locked_out', 'code', { minutes }, 429)
    }

    const fail = async (action: string, messageKey: string, field: string) => {
      const state = await limiter.increment(key)
      await audit.record({ ...meta, action, target })
      if (state.remaining <= 0) {
        await limiter.block(key, limiter.blockDuration)
        await audit.record({ ...meta, action: 'auth.locked_out', target })
      }
      throw new DomainError(messageKey, field)
    }

    if (input.recoveryCode) {
      const hash = totp.hashRecoveryCode(input.recoveryCode)
      // Marking used inside a transaction with a conditional update: two tabs racing the same
      // code cannot both succeed.
      const used = await db.transaction(async (trx) => {
        const updated = await trx
          .from('recovery_codes')
          .where({ user_id: user.id, code_hash: hash })
          .whereNull('used_at')
          .update({ used_at: DateTime.utc().toFormat(trx.dialect.dateTimeFormat) })
        return affectedRows(updated) > 0
      })
      if (!used)
        await fail('auth.recovery_code_rejected', 'auth.recovery_code_invalid', 'recoveryCode')
      const left = await RecoveryCode.query()
        .where('user_id', user.id)
        .whereNull('used_at')
        .count('* as n')
      await audit.record({
        ...meta,
        action: 'auth.recovery_code_used',
        target,
        after: { remaining: Number(left[0].$extras.n) },
      })
      await limiter.delete(key)
      return { user, method: 'recovery_code' }
    }

    const secret = user.totpSecret ? totp.decryptSecret(user.totpSecret) : null
    if (!secret) throw new DomainError('auth.mfa_not_enrolled', 'code')
    const result = await totp.check(secret, input.code ?? '', user.totpLastStep)
    if (result === 'replayed') await fail('auth.totp_replay_rejected', 'auth.totp_replayed', 'code')
    if (result === null) await fail('auth.totp_rejected', 'auth.totp_invalid', 'code')

    // Conditional update so two concurrent requests with the same code cannot both pass.
    const step = (result as { step: number }).step
    const updated = await User.query()
      .where('id', user.id)
      .where((q) => q.whereNull('totp_last_step').orWhere('totp_last_step', '<', step))
      .update({ totp_last_step: step })
    if (affectedRows(updated) === 0) {
      await fail('auth.totp_replay_rejected', 'auth.totp_replayed', 'code')
    }
    await limiter.delete(key)
    return { user, method: 'totp' }
  }
}
