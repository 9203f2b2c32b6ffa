import { DateTime } from 'luxon'
import type { HttpContext } from '@adonisjs/core/http'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import db from '@adonisjs/lucid/services/db'
import UserSession, { type SessionEndReason } from '#models/user_session'
import type User from '#models/user'
import settings from '#services/settings_service'
import { sqlTime } from '#services/db_time'

/** How often last_seen_at is written: often enough for idle timeout, rarely enough for SQLite. */
const TOUCH_EVERY_MS = 30_000

/** A compact "Chrome on Linux" style label from the user agent. */
export function describeDevice(userAgent: string | null | undefined): string {
  if (!userAgent) return 'Unknown device'
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Chrome\//.test(userAgent)
      ? 'Chrome'
      : /Firefox\//.test(userAgent)
        ? 'Firefox'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : /MicroMessenger/.test(userAgent)
            ? 'WeChat'
            : 'Browser'
  const os = /Windows/.test(userAgent)
    ? 'Windows'
    : /Android/.test(userAgent)
      ? 'Android'
      : /iPhone|iPad/.test(userAgent)
        ? 'iOS'
        : /Mac OS X/.test(userAgent)
          ? 'macOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : 'unknown OS'
  return `${browser} on ${os}`
}

export type SessionCheck = { ok: true; row: UserSession } | { ok: false; reason: SessionEndReason }

/**
 * Tracks every signed-in browser. The session store keeps the session data; this registry keeps
 * who, where and why a session ended, so a revoked browser can be told the reason.
 */
class SessionRegistry {
  async open(ctx: HttpContext, user: User, trx?: TransactionClientContract) {
    const now = DateTime.utc()
    const userAgent = ctx.request.header('user-agent')?.slice(0, 500) ?? null
    return UserSession.create(
      {
        sessionId: ctx.session.sessionId,
        userId: user.id,
        ipAddress: ctx.request.ip(),
        userAgent,
        device: describeDevice(userAgent),
        lastSeenAt: now,
      },
      { client: trx }
    )
  }

  /** Ends every open session of a user except `keepSessionId`; returns the ended rows. */
  async endAllFor(
    userId: number,
    reason: SessionEndReason,
    keepSessionId?: string,
    trx?: TransactionClientContract
  ): Promise<UserSession[]> {
    const query = UserSession.query({ client: trx }).where('user_id', userId).whereNull('ended_at')
    if (keepSessionId) query.whereNot('session_id', keepSessionId)
    const rows = await query
    for (const row of rows) await this.end(row, reason, trx)
    return rows
  }

  async end(row: UserSession, reason: SessionEndReason, trx?: TransactionClientContract) {
    if (row.endedAt) return
    if (trx) row.useTransaction(trx)
    row.endedAt = DateTime.utc()
    row.endReason = reason
    await row.save()
    // Drop the stored session data too, so nothing of it can be replayed.
    await (trx ?? db).from('sessions').where('id', row.sessionId).delete()
  }

  async findBySessionId(sessionId: string) {
    return UserSession.findBy('session_id', sessionId)
  }

  /** Called on every authenticated request. */
  async check(ctx: HttpContext, user: User): Promise<SessionCheck> {
    const row = await this.findBySessionId(ctx.session.sessionId)
    if (!row || row.userId !== user.id) return { ok: false, reason: 'revoked' }
    if (row.endedAt) return { ok: false, reason: row.endReason ?? 'revoked' }

    if (user.isDisabled) return this.#endWith(row, 'account_disabled')
    if (user.lockedAt) return this.#endWith(row, 'account_locked')

    const policy = await settings.security()
    const now = DateTime.utc()
    if (now.diff(row.lastSeenAt).as('minutes') > policy.idleTimeoutMinutes) {
      return this.#endWith(row, 'idle_timeout')
    }
    if (now.diff(row.createdAt).as('hours') > policy.absoluteTimeoutHours) {
      return this.#endWith(row, 'expired')
    }
    if (now.diff(row.lastSeenAt).as('milliseconds') > TOUCH_EVERY_MS) {
      row.lastSeenAt = now
      row.ipAddress = ctx.request.ip()
      await row.save()
    }
    return { ok: true, row }
  }

  async #endWith(row: UserSession, reason: SessionEndReason): Promise<SessionCheck> {
    await this.end(row, reason)
    return { ok: false, reason }
  }

  /** Used by the scheduled job: ends sessions past their idle or absolute limit. */
  async expireStale(): Promise<number> {
    const policy = await settings.security()
    const now = DateTime.utc()
    const idleBefore = now.minus({ minutes: policy.idleTimeoutMinutes })
    const createdBefore = now.minus({ hours: policy.absoluteTimeoutHours })
    const stale = await UserSession.query()
      .whereNull('ended_at')
      .where((q) => {
        q.where('last_seen_at', '<', sqlTime(idleBefore)).orWhere(
          'created_at',
          '<',
          sqlTime(createdBefore)
        )
      })
    for (const row of stale) {
      await this.end(row, row.createdAt < createdBefore ? 'expired' : 'idle_timeout')
    }
    return stale.length
  }
}

const sessionRegistry = new SessionRegistry()
export default sessionRegistry
