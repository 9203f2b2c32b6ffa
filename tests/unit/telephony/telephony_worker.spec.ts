import { EventEmitter } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from '@japa/runner'
import { AriHttpError, AriTransportError } from '#telephony/ari/index'
import type { Ari, AriConfig } from '#telephony/ari/index'
import TelephonyWorker from '#telephony/worker/telephony_worker'
import type { WorkerLock } from '#telephony/worker/telephony_worker'

/*
| The active/standby rules of the telephony worker (app/telephony/worker/telephony_worker.ts)
| against a Redis and an Asterisk simulated in memory, so every failure can be made to happen at
| will. The same rules run against the real ones in tests/integration/telephony_standby.spec.ts.
*/

/** Asterisk's rule: one WebSocket per app, the newer replaces the older (ApplicationReplaced). */
class FakeAsterisk {
  subscriber: FakeEvents | null = null
  /** Channels left in the app by a subscriber that died: Asterisk still lists the app. */
  lingering = false
  down = false
}

class FakeEvents extends EventEmitter {
  state: 'connected' | 'connecting' | 'disconnected' = 'disconnected'
  #handlers = new Map<string, Array<(event: unknown) => void>>()

  constructor(private asterisk: FakeAsterisk) {
    super()
  }

  onEvent(type: string, handler: (event: unknown) => void) {
    this.#handlers.set(type, [...(this.#handlers.get(type) ?? []), handler])
    return () => {}
  }

  start() {
    const previous = this.asterisk.subscriber
    this.asterisk.subscriber = this
    this.state = 'connected'
    this.emit('stateChange', this.state)
    if (previous && previous !== this) previous.fire('ApplicationReplaced')
  }

  async stop() {
    if (this.asterisk.subscriber === this) this.asterisk.subscriber = null
    this.state = 'disconnected'
    this.emit('stateChange', this.state)
  }

  fire(type: string) {
    for (const handler of this.#handlers.get(type) ?? []) handler({ type })
  }
}

/** The Lua scripts' semantics over one shared value; `down` makes every call fail like ioredis. */
class FakeRedis {
  value: string | null = null
  down = false

  check() {
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:6379')
  }
}

function lockOn(redis: FakeRedis, name: string): WorkerLock & { token: string; crashed: boolean } {
  const token = `${name}:1:abcd`
  return {
    token,
    crashed: false,
    ttlMs: 30,
    instance: `${name}:1`,
    async tryAcquire() {
      redis.check()
      if (redis.value === null || redis.value === token) {
        redis.value = token
        return { acquired: true }
      }
      return { acquired: false, holder: redis.value }
    },
    async renew() {
      redis.check()
      if (redis.value === token) return { state: 'held' }
      if (redis.value === null) {
        redis.value = token
        return { state: 'retaken' }
      }
      return { state: 'lost', holder: redis.value }
    },
    async release() {
      redis.check()
      if (this.crashed || redis.value !== token) return false
      redis.value = null
      return true
    },
    async holder() {
      redis.check()
      return redis.value
    },
  }
}

function makeWorker(name: string, redis: FakeRedis, asterisk: FakeAsterisk) {
  const lock = lockOn(redis, name)
  let callsRunning = 0
  const worker = new TelephonyWorker({
    ari: { url: 'http://asterisk', username: 'u', password: 'p', app: 'ringdesk' },
    lock,
    standbyRetryMs: 10,
    renewEveryMs: 10,
    graceMs: 100,
    vacantForMs: 100,
    startCalls: () => {
      callsRunning++
      return { stop: () => callsRunning-- }
    },
    createAri: (config: AriConfig) =>
      ({
        config,
        events: new FakeEvents(asterisk),
        client: {
          async getApplication(app: string) {
            if (asterisk.down) throw new AriTransportError('GET', `/applications/${app}`, 'down')
            if (!asterisk.subscriber && !asterisk.lingering) {
              throw new AriHttpError('GET', `/applications/${app}`, 404, {})
            }
            return { name: app }
          },
        },
      }) as unknown as Ari,
  })
  return {
    worker,
    lock,
    callsRunning: () => callsRunning,
    subscribed: () =>
      asterisk.subscriber !== null && (asterisk.subscriber as unknown) === worker.ari?.events,
  }
}

async function until(check: () => boolean, ms = 1000) {
  const end = Date.now() + ms
  while (!check() && Date.now() < end) await sleep(5)
  return check()
}

test.group('Telephony worker | one active per Asterisk, hot standby', (group) => {
  const workers: TelephonyWorker[] = []
  group.each.teardown(async () => {
    await Promise.all(workers.map((w) => w.stop()))
    workers.length = 0
  })

  function setup() {
    const redis = new FakeRedis()
    const asterisk = new FakeAsterisk()
    const start = (name: string) => {
      const made = makeWorker(name, redis, asterisk)
      workers.push(made.worker)
      made.worker.start()
      return made
    }
    return { redis, asterisk, start }
  }

  test('the first worker takes the lock and runs calls; a second one waits as standby', async ({
    assert,
  }) => {
    const { redis, start } = setup()
    const a = start('a')
    assert.isTrue(await until(() => a.worker.role === 'active'))
    const b = start('b')
    await sleep(100)
    assert.equal(a.worker.role, 'active')
    assert.equal(b.worker.role, 'standby')
    assert.equal(redis.value, a.lock.token)
    assert.isTrue(a.subscribed())
    assert.equal(a.callsRunning(), 1)
    assert.equal(b.callsRunning(), 0)
    assert.equal(b.worker.status().activeInstance, 'a:1')
  })

  test('the active worker shutting down hands over to the standby at once', async ({ assert }) => {
    const { redis, start } = setup()
    const a = start('a')
    await until(() => a.worker.role === 'active')
    const b = start('b')
    await sleep(30)
    await a.worker.stop()
    assert.equal(a.callsRunning(), 0)
    assert.isTrue(await until(() => b.worker.role === 'active', 200))
    assert.equal(redis.value, b.lock.token)
    assert.isTrue(b.subscribed())
  })

  test('the active worker dying: the standby takes over once its lease is gone', async ({
    assert,
  }) => {
    const { redis, asterisk, start } = setup()
    const a = start('a')
    await until(() => a.worker.role === 'active')
    const b = start('b')
    await sleep(150)
    // A crash mid-call: no release, no more renewals; Asterisk sees its socket close but still
    // lists the app with the call's channels.
    a.lock.crashed = true
    await a.worker.stop()
    asterisk.lingering = true
    assert.isNull(asterisk.subscriber)
    await sleep(50)
    assert.equal(b.worker.role, 'standby', 'the lease has not run out yet')
    redis.value = null // it runs out
    // No wait of rule 3: this standby's Redis has been fine all along.
    assert.isTrue(await until(() => b.worker.role === 'active', 50))
  })

  test('a worker just started takes a free lock at once when Asterisk shows nobody, else after one lease period', async ({
    assert,
  }) => {
    const { asterisk, start } = setup()
    const a = start('a')
    assert.isTrue(await until(() => a.worker.role === 'active', 50))
    await a.worker.stop()

    asterisk.lingering = true
    const startedAt = Date.now()
    const b = start('b')
    assert.isTrue(await until(() => b.worker.role === 'active', 1000))
    assert.isAtLeast(Date.now() - startedAt, 100)
  })

  test('Redis down: the active worker keeps running calls and the standby does not take over', async ({
    assert,
  }) => {
    const { redis, start } = setup()
    const a = start('a')
    await until(() => a.worker.role === 'active')
    const b = start('b')
    await sleep(30)
    redis.down = true
    redis.value = null // Redis restarts empty later
    await sleep(300) // well past the standby's vacancy wait: Asterisk still shows a subscriber
    assert.equal(a.worker.role, 'active')
    assert.isTrue(a.subscribed())
    assert.equal(a.callsRunning(), 1)
    assert.isFalse(a.worker.status().redis)
    assert.equal(b.worker.role, 'standby')

    redis.down = false
    assert.isTrue(await until(() => redis.value === a.lock.token, 200), 'the active one retakes it')
    await sleep(50)
    assert.equal(a.worker.role, 'active')
    assert.equal(b.worker.role, 'standby')
    assert.isTrue(a.worker.status().redis)
  })

  test('a standby that cannot reach Redis takes over only when Asterisk has had no worker for a while', async ({
    assert,
  }) => {
    const { redis, asterisk, start } = setup()
    redis.down = true
    asterisk.down = true
    const b = start('b')
    await sleep(200)
    assert.equal(b.worker.role, 'standby', 'neither Redis nor Asterisk can vouch the way is free')
    asterisk.down = false
    await sleep(40)
    assert.equal(b.worker.role, 'standby', 'not before the vacancy wait')
    assert.isTrue(await until(() => b.worker.role === 'active', 500))
    assert.isTrue(b.worker.status().lockless)

    redis.down = false
    assert.isTrue(await until(() => redis.value === b.lock.token, 200))
    assert.isFalse(b.worker.status().lockless)
  })

  test('a worker that finds the lock held by another when Redis returns steps down', async ({
    assert,
  }) => {
    const { redis, start } = setup()
    const a = start('a')
    await until(() => a.worker.role === 'active')
    redis.value = 'c:1:ffff'
    assert.isTrue(await until(() => a.worker.role === 'standby', 200))
    assert.equal(a.callsRunning(), 0)
    assert.isFalse(a.subscribed())
    assert.equal(redis.value, 'c:1:ffff', 'it never deletes a lease that is not its own')
  })

  test('an active worker replaced in Asterisk by a newer subscriber steps down at once', async ({
    assert,
  }) => {
    const { asterisk, start } = setup()
    const a = start('a')
    await until(() => a.worker.role === 'active')
    new FakeEvents(asterisk).start()
    assert.isTrue(await until(() => a.worker.role === 'standby', 100))
    assert.equal(a.callsRunning(), 0)
  })
})
