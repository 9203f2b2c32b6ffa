import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import redis from '@adonisjs/redis/services/main'
import env from '#start/env'
import ServiceHeartbeat from '#models/service_heartbeat'
import type { WorkerStatus } from '#telephony/worker/telephony_worker'

export type CheckStatus = 'ok' | 'down'
export interface HealthReport {
  status: 'ok' | 'degraded' | 'down'
  checkedAt: string
  checks: Record<
    string,
    { status: CheckStatus; detail?: string; latencyMs?: number; role?: 'active' | 'standby' }
  >
}

const TIMEOUT_MS = 1500
/** A worker that has not reported for this long is considered down. */
const HEARTBEAT_STALE_S = 45

/*
| The telephony workers' rows: "telephony" is whichever worker is active (each new active one
| overwrites it), "telephony-standby" a hot standby. A standby is optional: it is listed while it
| reports and left out otherwise, never counted as a failure.
*/
const TELEPHONY = 'telephony'
const TELEPHONY_STANDBY = 'telephony-standby'

async function timed<T>(fn: () => Promise<T>) {
  const started = performance.now()
  const value = await Promise.race([
    fn(),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), TIMEOUT_MS)),
  ])
  return { value, latencyMs: Math.round(performance.now() - started) }
}

/**
 * Only the database is essential: with Redis or Asterisk down the box still signs people in,
 * so those make the report "degraded", never "down".
 */
class HealthService {
  async report(): Promise<HealthReport> {
    const checks: HealthReport['checks'] = {}
    const [database, cache, ari] = await Promise.allSettled([
      timed(() => db.rawQuery('SELECT 1')),
      timed(() => redis.ping()),
      timed(async () => {
        const response = await fetch(new URL('/ari/asterisk/info', env.get('ARI_URL')), {
          headers: {
            authorization:
              'Basic ' +
              Buffer.from(
                `${env.get('ARI_USERNAME')}:${env.get('ARI_PASSWORD').release()}`
              ).toString('base64'),
          },
          signal: AbortSignal.timeout(TIMEOUT_MS),
        })
        if (!response.ok) throw new Error(`HTTP ${response.status}`)
        const info = (await response.json()) as { system?: { version?: string } }
        return info.system?.version ?? 'unknown'
      }),
    ])
    const fill = (
      name: string,
      result: PromiseSettledResult<{ value: unknown; latencyMs: number }>,
      detail?: (v: unknown) => string
    ) => {
      checks[name] =
        result.status === 'fulfilled'
          ? {
              status: 'ok',
              latencyMs: result.value.latencyMs,
              detail: detail?.(result.value.value),
            }
          : { status: 'down', detail: String((result.reason as Error)?.message ?? result.reason) }
    }
    fill('database', database, () => db.connection().dialect.name)
    fill('redis', cache)
    fill('ari', ari, (v) => `Asterisk ${v}`)

    if (checks.database.status === 'ok') {
      const beats = await ServiceHeartbeat.all()
      for (const service of ['telephony', 'jobs']) {
        const beat = beats.find((b) => b.service === service)
        const age = beat ? DateTime.utc().diff(beat.updatedAt).as('seconds') : Infinity
        checks[`worker:${service}`] =
          beat && age < HEARTBEAT_STALE_S
            ? { status: beat.status === 'ok' ? 'ok' : 'down', detail: beat.detail ?? undefined }
            : { status: 'down', detail: beat ? `last seen ${Math.round(age)} s ago` : 'never seen' }
      }
      checks['worker:telephony'].role = 'active'
      const standby = beats.find((b) => b.service === TELEPHONY_STANDBY)
      if (standby && DateTime.utc().diff(standby.updatedAt).as('seconds') < HEARTBEAT_STALE_S) {
        checks[`worker:${TELEPHONY_STANDBY}`] = {
          status: standby.status === 'ok' ? 'ok' : 'down',
          detail: standby.detail ?? undefined,
          role: 'standby',
        }
      }
    }

    const status =
      checks.database.status === 'down'
        ? 'down'
        : Object.values(checks).every((c) => c.status === 'ok')
          ? 'ok'
          : 'degraded'
    return { status, checkedAt: DateTime.utc().toISO()!, checks }
  }

  async beat(service: string, status: 'ok' | 'degraded', detail: string | null = null) {
    await ServiceHeartbeat.updateOrCreate(
      { service },
      { status, detail, updatedAt: DateTime.utc() }
    )
  }

  /** A telephony worker's beat, under its role's row, with who it is ("host:pid") first. */
  async beatTelephony(worker: WorkerStatus) {
    if (worker.role === 'standby') {
      const parts = [`standby; active: ${worker.activeInstance ?? 'none'}`]
      if (!worker.redis) parts.push('Redis unreachable: cannot take over')
      return this.beat(TELEPHONY_STANDBY, 'ok', [worker.instance, ...parts].join(' · '))
    }
    const parts = [`ARI ${worker.ari}`]
    if (worker.lockless) parts.push('took over without the lock (Redis unreachable)')
    else if (!worker.redis) parts.push('lock not renewed (Redis unreachable)')
    // Its own row from when it was the standby would otherwise linger as a second worker; gone
    // before the active row names it, so nobody sees it in both roles at once.
    await this.forgetTelephonyStandby(worker.instance)
    await this.beat(
      TELEPHONY,
      worker.ari === 'connected' ? 'ok' : 'degraded',
      [worker.instance, ...parts].join(' · ')
    )
  }

  /** Removes the standby row if it is this worker's (a standby shutting down, one taking over). */
  async forgetTelephonyStandby(instance: string) {
    await ServiceHeartbeat.query()
      .where('service', TELEPHONY_STANDBY)
      .where('detail', 'like', `${instance} ·%`)
      .delete()
  }
}

const healthService = new HealthService()
export default healthService
