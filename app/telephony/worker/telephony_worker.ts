/*
| One active telephony worker per Asterisk, any number of hot standbys.
|
| Only one process may run our Stasis app against an Asterisk: two would both route the same
| callers and offer them to agents. So the workers share a lock in Redis
| (app/services/leader_lock.ts, key from the ARI URL and the app name). The holder is *active*:
| it opens the ARI WebSocket and runs the StasisApp. The others are *standbys*: they only check
| every second whether they may take over, and do so once the lock is free: the active worker
| shut down (it releases the lock at once) or died (its lease runs out after its TTL). Taking
| over is an ordinary ARI connect, so the StasisApp's reconcile after every connect picks up the
| calls: bridged calls go on, waiting callers are queued again.
|
| Redis may fail; calls must not. The rules, and why they cannot leave two workers running calls
| for longer than a moment:
|
| 1. An active worker that cannot reach Redis keeps running calls; its lease may run out meanwhile.
|    A standby that still reaches Redis (a partition, not an outage) may then take the lease and
|    connect; rule 4 makes the old one step down as soon as it does.
| 2. When Redis answers again, the active worker renews: its own lease is extended; a lease that
|    is gone (Redis restarted empty, or it ran out) is taken back; a lease held by another
|    worker means that one won the lock fairly, and this one steps down (stops the StasisApp,
|    closes ARI, releases nothing that is not its own). Redis is the authority whenever it answers.
| 3. Rule 2 races a standby for a lock Redis lost. So a standby whose Redis connection has just
|    come back (or who just started) leaves a free lock alone for one lease period, in which a
|    live active worker takes it back. The wait is skipped when Asterisk proves nobody is running
|    calls: GET /applications/{app} answers 404 once no WebSocket is subscribed and no channel is
|    left in the app. (A 200 proves nothing: an app whose subscriber died mid-call stays listed
|    with its channels, as measured on Asterisk 22; so the standby never relies on it.)
| 4. Asterisk delivers an app's events to one WebSocket only: a newer subscriber replaces the
|    older one, which receives ApplicationReplaced (the replaced socket closing later does not
|    unregister the newer one). An active worker that receives it steps down at once. Whatever
|    race the rules above leave open ends here, within one event.
| 5. A standby that cannot reach Redis cannot prove the lock free and does not take it, with one
|    exception: when Asterisk has answered 404 for `vacantForMs`, nobody is running calls at all
|    (the worker crashed or restarted while Redis was down) and waiting for Redis would leave
|    every caller unanswered. It then becomes active without the lock; two doing so at once are
|    settled by rule 4, and the lock by rule 2 once Redis returns.
|
| Known costs: a hand-over (rules 2, 4, or a worker dying) is the same path as a worker restart:
| bridged calls go on, a caller in the IVR starts the menu again. If the active worker dies
| mid-call while Redis is down, rule 5 waits until those calls have left the app.
*/

import { EventEmitter } from 'node:events'
import { createAri as defaultCreateAri, isAriNotFound } from '#telephony/ari/index'
import type { Ari, AriConfig, AriConnectionState } from '#telephony/ari/index'
import callRecorder from '#telephony/calls/call_recorder'
import type { AcquireResult, RenewResult } from '#services/leader_lock'
import { tokenInstance } from '#services/leader_lock'

export type WorkerRole = 'active' | 'standby'

/** The lock as the worker uses it (app/services/leader_lock.ts). */
export interface WorkerLock {
  readonly ttlMs: number
  /** "host:pid" of this process. */
  readonly instance: string
  tryAcquire(): Promise<AcquireResult>
  renew(): Promise<RenewResult>
  release(): Promise<boolean>
  holder(): Promise<string | null>
}

/** What an active term runs on its ARI connection: the StasisApp. */
export interface CallHandling {
  stop(): void
}

interface Logger {
  info(message: string): void
  warning(message: string): void
  error(message: string): void
}

export interface TelephonyWorkerOptions {
  ari: AriConfig
  lock: WorkerLock
  /** Registers the call handlers on a fresh ARI pair, before it connects; once per term. */
  startCalls: (ari: Ari) => CallHandling
  logger?: Logger
  /** How often a standby checks whether it may take over. */
  standbyRetryMs?: number
  /** How often the active worker renews its lease; a third of the TTL by default. */
  renewEveryMs?: number
  /** Rule 3: how long a standby newly connected to Redis leaves a free lock alone (one TTL). */
  graceMs?: number
  /** Rule 5: how long Asterisk must show our app vacant before a standby without Redis goes. */
  vacantForMs?: number
  /** For tests: build the ARI pair differently. */
  createAri?: (config: AriConfig) => Ari
}

export interface WorkerStatus {
  instance: string
  role: WorkerRole
  /** The active worker's ARI WebSocket; a standby has none. */
  ari: AriConnectionState
  /** Whether Redis answered the last lock operation (renewal or take-over attempt). */
  redis: boolean
  /** A standby's view of who is active ("host:pid"), when Redis told it. */
  activeInstance: string | null
  /** Active without the lock: took over while Redis was unreachable, not confirmed since. */
  lockless: boolean
}

export default class TelephonyWorker extends EventEmitter<{ change: [] }> {
  #role: WorkerRole = 'standby'
  #term: { ari: Ari; calls: CallHandling } | null = null
  #running = false
  #timer: NodeJS.Timeout | undefined
  #redisOk = true
  #lockless = false
  #holder: string | null = null
  #vacantSince: number | null = null
  /** Since when Redis has answered this standby without a break (rule 3). */
  #redisSince: number | null = null
  #serialized: Promise<unknown> = Promise.resolve()
  readonly #probe: Ari['client']
  readonly #createAri: (config: AriConfig) => Ari
  readonly #standbyRetryMs: number
  readonly #renewEveryMs: number
  readonly #vacantForMs: number
  readonly #graceMs: number

  constructor(private options: TelephonyWorkerOptions) {
    super()
    this.#createAri = options.createAri ?? defaultCreateAri
    // REST only, never started: a standby must not subscribe, only ask who is subscribed.
    this.#probe = this.#createAri(options.ari).client
    this.#standbyRetryMs = options.standbyRetryMs ?? 1_000
    this.#renewEveryMs = options.renewEveryMs ?? Math.floor(options.lock.ttlMs / 3)
    this.#vacantForMs = options.vacantForMs ?? 5_000
    this.#graceMs = options.graceMs ?? options.lock.ttlMs
  }

  get role(): WorkerRole {
    return this.#role
  }

  /** The active term's ARI pair; null while standby. */
  get ari(): Ari | null {
    return this.#term?.ari ?? null
  }

  status(): WorkerStatus {
    return {
      instance: this.options.lock.instance,
      role: this.#role,
      ari: this.#term?.ari.events.state ?? 'disconnected',
      redis: this.#redisOk,
      activeInstance: this.#role === 'standby' ? this.#holder : this.options.lock.instance,
      lockless: this.#lockless,
    }
  }

  /** Starts as a standby and tries to become active at once. */
  start(): void {
    if (this.#running) return
    this.#running = true
    this.options.logger?.info(
      `telephony worker ${this.options.lock.instance} starting as standby; trying for the lock`
    )
    void this.#tick()
  }

  /** Ends the active term: ARI closed, then the lock released, so a standby follows at once. */
  async stop(): Promise<void> {
    this.#running = false
    clearTimeout(this.#timer)
    await this.#serial(async () => {
      if (!this.#term) return
      await this.#endTerm()
      await this.options.lock.release().catch(() => false)
    })
  }

  /** One step at a time: a tick, a step-down on ApplicationReplaced and stop() never overlap. */
  #serial<T>(step: () => Promise<T>): Promise<T> {
    const next = this.#serialized.then(step, step)
    this.#serialized = next.catch(() => {})
    return next
  }

  async #tick(): Promise<void> {
    if (!this.#running) return
    await this.#serial(() => (this.#role === 'active' ? this.#renew() : this.#tryTakeOver())).catch(
      (error) => this.options.logger?.error(`lock: ${(error as Error).message}`)
    )
    if (!this.#running) return
    const delay = this.#role === 'active' ? this.#renewEveryMs : this.#standbyRetryMs
    this.#timer = setTimeout(() => void this.#tick(), delay)
  }

  async #tryTakeOver(): Promise<void> {
    if (!this.#running) return
    const vacant = await this.#appVacant()
    const now = Date.now()
    this.#vacantSince = vacant === true ? (this.#vacantSince ?? now) : null

    let holder: string | null
    try {
      holder = await this.options.lock.holder()
    } catch (error) {
      this.#redisSince = null
      this.#setRedis(false)
      if (this.#vacantSince !== null && now - this.#vacantSince >= this.#vacantForMs) {
        // Rule 5.
        this.#lockless = true
        return this.#becomeActive(
          `Redis unreachable (${(error as Error).message}) and no worker in ` +
            `${this.options.ari.app} for ${Math.round((now - this.#vacantSince) / 1000)} s`
        )
      }
      return
    }
    this.#redisSince ??= now
    this.#setRedis(true)
    if (holder !== null) {
      // Another worker's lease, or our own left from a term that ended without a release: wait.
      this.#setHolder(tokenInstance(holder))
      return
    }
    this.#setHolder(null)
    // Rule 3: give an active worker that is still running calls the time to take it back.
    if (vacant !== true && now - this.#redisSince < this.#graceMs) return

    const result = await this.options.lock.tryAcquire().catch(() => null)
    if (!result) return this.#setRedis(false)
    if (!result.acquired) return this.#setHolder(tokenInstance(result.holder))
    this.#lockless = false
    return this.#becomeActive('lock acquired')
  }

  async #renew(): Promise<void> {
    let result: RenewResult
    try {
      result = await this.options.lock.renew()
    } catch (error) {
      // Rule 1: Redis down never stops calls.
      if (this.#redisOk) {
        this.options.logger?.warning(
          `Redis unreachable (${(error as Error).message}): calls go on; ` +
            'the lock is renewed again when it returns'
        )
      }
      this.#setRedis(false)
      return
    }
    if (result.state === 'lost') {
      return this.#stepDown(`the lock is held by ${tokenInstance(result.holder)}`)
    }
    if (result.state === 'retaken' || this.#lockless) {
      this.options.logger?.info('lock taken (back) after Redis lost it')
    }
    if (this.#lockless) {
      this.#lockless = false
      this.emit('change')
    }
    this.#setRedis(true)
  }

  #becomeActive(reason: string): void {
    const ari = this.#createAri(this.options.ari)
    // Rule 4: Asterisk gave our app to a newer WebSocket.
    ari.events.onEvent('ApplicationReplaced', () => {
      // Not awaited: stepping down drains the event queues this handler runs in.
      this.#serial(() => this.#stepDown('another worker subscribed to the Stasis app')).catch(
        (error) => this.options.logger?.error(`step-down: ${(error as Error).message}`)
      )
    })
    ari.events.on('stateChange', () => this.emit('change'))
    const calls = this.options.startCalls(ari)
    this.#term = { ari, calls }
    this.#role = 'active'
    this.#holder = null
    this.#vacantSince = null
    this.options.logger?.info(`active (${reason}); connecting to ARI`)
    ari.events.start()
    this.emit('change')
  }

  async #stepDown(reason: string): Promise<void> {
    if (this.#role !== 'active' || !this.#term) return
    this.options.logger?.warning(`stepping down to standby: ${reason}`)
    await this.#endTerm()
    await this.options.lock.release().catch(() => false)
    this.#role = 'standby'
    this.#lockless = false
    // Rule 3 for ourselves: whoever runs the calls now gets a lease period to take the lock.
    this.#redisSince = Date.now()
    this.emit('change')
  }

  async #endTerm(): Promise<void> {
    const term = this.#term
    if (!term) return
    this.#term = null
    term.calls.stop()
    // Call records written behind go out before whoever takes over reads them.
    await callRecorder.flush().catch(() => {})
    await term.ari.events.stop()
  }

  /** true: no subscriber and no channel in our app; false: Asterisk lists it; null: no answer. */
  async #appVacant(): Promise<boolean | null> {
    try {
      await this.#probe.getApplication(this.options.ari.app)
      return false
    } catch (error) {
      return isAriNotFound(error) ? true : null
    }
  }

  #setRedis(ok: boolean): void {
    if (this.#redisOk === ok) return
    this.#redisOk = ok
    this.emit('change')
  }

  #setHolder(holder: string | null): void {
    if (this.#holder === holder) return
    this.#holder = holder
    this.emit('change')
  }
}
