import { DateTime } from 'luxon'
import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import User from '#models/user'
import RecoveryCode from '#models/recovery_code'
import audit from '#services/audit_service'
import sessionRegistry from '#services/session_registry'
import DomainError from '#exceptions/domain_error'
import type { Role } from '#app/auth/roles'

const AUDITED_FIELDS = ['fullName', 'email', 'role', 'teamId', 'locale', 'isDisabled'] as const

function snapshot(user: User) {
  return Object.fromEntries(AUDITED_FIELDS.map((f) => [f, user[f]]))
}

function changed(before: Record<string, unknown>, after: Record<string, unknown>) {
  const keys = Object.keys(after).filter((k) => before[k] !== after[k])
  return {
    before: Object.fromEntries(keys.map((k) => [k, before[k]])),
    after: Object.fromEntries(keys.map((k) => [k, after[k]])),
  }
}

/** Users are created and changed by admins only; no public sign-up. */
export default class SaveUser {
  async create(
    ctx: HttpContext,
    input: {
      fullName: string
      email: string
      role: Role
      teamId?: number | null
      locale?: string
      password: string
    }
  ) {
    return db.transaction(async (trx) => {
      const user = await User.create(
        {
          fullName: input.fullName,
          email: input.email,
          role: input.role,
          teamId: input.teamId ?? null,
          locale: input.locale ?? 'en',
          password: input.password,
          isDisabled: false,
          passwordChangedAt: DateTime.utc(),
        },
        { client: trx }
      )
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'user.created',
        target: { type: 'user', id: user.id, label: user.email },
        after: snapshot(user),
      })
      return user
    })
  }

  async update(
    ctx: HttpContext,
    user: User,
    input: {
      fullName: string
      email: string
      role: Role
      teamId?: number | null
      locale: string
      isDisabled: boolean
    }
  ) {
    const actor = ctx.auth.user!
    if (actor.id === user.id && (input.isDisabled || input.role !== user.role)) {
      throw new DomainError('users.cannot_demote_self', 'role')
    }
    if (user.role === 'admin' && (input.role !== 'admin' || input.isDisabled)) {
      await this.#assertAnotherAdmin(user.id)
    }
    const before = snapshot(user)
    await db.transaction(async (trx) => {
      user.useTransaction(trx)
      user.merge({ ...input, teamId: input.teamId ?? null })
      await user.save()
      const diff = changed(before, snapshot(user))
      if (Object.keys(diff.after).length === 0) return
      const roleChanged = 'role' in diff.after
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: roleChanged ? 'user.role_changed' : 'user.updated',
        target: { type: 'user', id: user.id, label: user.email },
        ...diff,
      })
      if (input.isDisabled && !before.isDisabled) {
        await sessionRegistry.endAllFor(user.id, 'account_disabled', undefined, trx)
      }
    })
    return user
  }

  /** "Lost device": lock the account and end all its sessions at once. */
  async lock(ctx: HttpContext, user: User, reason: string) {
    if (ctx.auth.user!.id === user.id) throw new DomainError('users.cannot_lock_self', 'reason')
    if (user.role === 'admin') await this.#assertAnotherAdmin(user.id)
    await db.transaction(async (trx) => {
      user.useTransaction(trx)
      user.lockedAt = DateTime.utc()
      user.lockReason = reason
      await user.save()
      const ended = await sessionRegistry.endAllFor(user.id, 'account_locked', undefined, trx)
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'user.locked',
        target: { type: 'user', id: user.id, label: user.email },
        after: { reason, sessionsEnded: ended.length },
      })
    })
  }

  async unlock(ctx: HttpContext, user: User) {
    const before = { lockedAt: user.lockedAt?.toISO() ?? null, lockReason: user.lockReason }
    user.lockedAt = null
    user.lockReason = null
    await db.transaction(async (trx) => {
      user.useTransaction(trx)
      await user.save()
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'user.unlocked',
        target: { type: 'user', id: user.id, label: user.email },
        before,
      })
    })
  }

  async revokeAllSessions(ctx: HttpContext, user: User) {
    await db.transaction(async (trx) => {
      const ended = await sessionRegistry.endAllFor(user.id, 'revoked_by_admin', undefined, trx)
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'session.revoked_all_by_admin',
        target: { type: 'user', id: user.id, label: user.email },
        after: { sessionsEnded: ended.length },
      })
    })
  }

  /** Admin resets a user's MFA (lost phone): they enrol again at next sign-in if required. */
  async resetMfa(ctx: HttpContext, user: User) {
    await db.transaction(async (trx) => {
      user.useTransaction(trx)
      user.totpSecret = null
      user.totpPendingSecret = null
      user.totpLastStep = null
      user.mfaEnabledAt = null
      await user.save()
      await RecoveryCode.query({ client: trx }).where('user_id', user.id).delete()
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'mfa.reset_by_admin',
        target: { type: 'user', id: user.id, label: user.email },
        after: { mfaEnabled: false },
      })
    })
  }

  async #assertAnotherAdmin(exceptUserId: number) {
    const others = await User.query()
      .where('role', 'admin')
      .where('is_disabled', false)
      .whereNull('locked_at')
      .whereNot('id', exceptUserId)
      .count('* as n')
    if (Number(others[0].$extras.n) === 0) throw new DomainError('users.last_admin', 'role')
  }
}
