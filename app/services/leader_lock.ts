import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'

/** What the lock needs from a Redis client: ioredis and AdonisJS's connections both fit. */
export interface LockRedis {
  eval(script: string, numberOfKeys: number, ...args: Array<string | number>): Promise<unknown>
}

export type AcquireResult = { acquired: true } | { acquired: false; holder: string }
export type RenewResult = { state: 'held' | 'retaken' } | { state: 'lost'; holder: string }

/*
| Each script reads and writes the key in one step, so no other client can slip in between the
| "is it still mine?" and the write. A plain GET-then-PEXPIRE could extend a lease someone else
| took a moment before.
*/

/** Free, or already ours (a term that ended without a release): take it. */
const ACQUIRE = `
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {1, ARGV[1]}
end
return {0, holder}`

/** Ours: extend. Gone (Redis restarted empty, or the lease ran out): take it back. Else: lost. */
const RENEW = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {1, ARGV[1]}
end
if holder == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {2, ARGV[1]}
end
return {0, holder}`

/** Delete only our own lease, never one a successor already holds. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`

const HOLDER = `return redis.call('GET', KEYS[1])`

/** "host:pid" of a lock token, for logs and the health page. */
export function tokenInstance(token: string): string {
  return token.split(':').slice(0, -1).join(':') || token
}

/**
 * A lease in Redis that at most one process holds at a time: SET with a random token and an
 * expiry, extended by its holder well before it runs out, deleted by its holder on shutdown. A
 * holder that dies without releasing loses it when the expiry passes.
 *
 * Every method rejects when Redis cannot answer; what that means is the caller's decision (the
 * telephony worker keeps running calls, see app/telephony/worker/telephony_worker.ts).
 */
export default class LeaderLock {
  /** "host:pid:random": unique per process, and readable in redis-cli and on the health page. */
  readonly token = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`

  constructor(
    private redis: LockRedis,
    readonly key: string,
    readonly ttlMs: number
  ) {}

  get instance() {
    return tokenInstance(this.token)
  }

  async tryAcquire(): Promise<AcquireResult> {
    const [ok, holder] = await this.#run(ACQUIRE)
    return ok === 1 ? { acquired: true } : { acquired: false, holder }
  }

  async renew(): Promise<RenewResult> {
    const [ok, holder] = await this.#run(RENEW)
    if (ok === 1) return { state: 'held' }
    if (ok === 2) return { state: 'retaken' }
    return { state: 'lost', holder }
  }

  /** The current holder's token, or null when the lock is free. */
  async holder(): Promise<string | null> {
    const reply = await this.redis.eval(HOLDER, 1, this.key)
    return typeof reply === 'string' ? reply : null
  }

  /** True when our lease was deleted; false when it was not ours (any more). */
  async release(): Promise<boolean> {
    return (await this.redis.eval(RELEASE, 1, this.key, this.token)) === 1
  }

  async #run(script: string): Promise<[number, string]> {
    const reply = (await this.redis.eval(script, 1, this.key, this.token, this.ttlMs)) as [
      number,
      string,
    ]
    return [Number(reply[0]), String(reply[1])]
  }
}
