import { createConnection } from 'node:net'
import { test } from '@japa/runner'
import { Queue } from 'bullmq'
import { DateTime } from 'luxon'
import redis from '@adonisjs/redis/services/main'
import env from '#start/env'
import { connection, QUEUES } from '#config/queue'
import AgentState from '#models/agent_state'
import Call from '#models/call'
import Recording from '#models/recording'
import ServiceHeartbeat from '#models/service_heartbeat'
import UserSession from '#models/user_session'
import healthService from '#services/health_service'
import LeaderLock from '#services/leader_lock'
import { normalizeAriBaseUrl } from '#telephony/ari/index'
import { testRedis } from '#tests/bootstrap'
import { makeUser } from '#tests/helpers/accounts'
import { placeCall, startTestAsterisk, type TestAsterisk } from '#tests/helpers/asterisk'
import { seed, startPhone, stopPhones, waitFor } from '#tests/helpers/call_fixture'
import {
  startWorker,
  stopAllWorkers,
  stopWorker,
  type WorkerProcess,
} from '#tests/helpers/worker_process'

/*
| One active telephony worker per Asterisk and a hot standby, as real `node ace telephony:work`
| processes on the test Asterisk and the test Redis, judged by what a caller, an agent and an
| admin would notice: who answers the calls, what the health rows say, what the records show.
*/

// A number of its own: other call tests seed routes for theirs.
const DID = '4008005000'

test.group('Telephony worker | the lock in Redis', (group) => {
  const key = `ringdesk:test-lock:${process.pid}`
  group.each.teardown(async () => {
    await redis.del(key)
  })
  // The next group stops Redis: this process's own connection should not be around to complain.
  group.teardown(async () => {
    await redis.quitAll()
  })

  test('one holder at a time; only the holder extends or releases it', async ({ assert }) => {
    const a = new LeaderLock(redis.connection(), key, 5_000)
    const b = new LeaderLock(redis.connection(), key, 5_000)
    assert.deepEqual(await a.tryAcquire(), { acquired: true })
    assert.deepEqual(await b.tryAcquire(), { acquired: false, holder: a.token })
    assert.deepEqual(await b.renew(), { state: 'lost', holder: a.token })
    assert.isFalse(await b.release())
    assert.equal(await redis.get(key), a.token)
    assert.deepEqual(await a.renew(), { state: 'held' })
    assert.isAbove(await redis.pttl(key), 4_000)
    assert.isTrue(await a.release())
    assert.deepEqual(await b.tryAcquire(), { acquired: true })
  })

  test('a lease that ran out is free; a holder whose key vanished takes it back', async ({
    assert,
  }) => {
    const a = new LeaderLock(redis.connection(), key, 150)
    const b = new LeaderLock(redis.connection(), key, 150)
    await a.tryAcquire()
    await new Promise((resolve) => setTimeout(resolve, 250))
    assert.isNull(await a.holder())
    await redis.del(key) // as after a Redis restart without persistence
    assert.deepEqual(await a.renew(), { state: 'retaken' })
    assert.deepEqual(await b.tryAcquire(), { acquired: false, holder: a.token })
  })
})

test.group(
  'Telephony worker | one active per Asterisk, a hot standby (real processes)',
  (group) => {
    let asterisk: TestAsterisk
    let fixture: Awaited<ReturnType<typeof seed>>
    const auth = () =>
      'Basic ' + Buffer.from(`${asterisk.username}:${asterisk.password}`).toString('base64')

    group.setup(async () => {
      asterisk = await startTestAsterisk()
      fixture = await seed(DID)
      return async () => {
        await stopPhones()
        await asterisk.stop()
      }
    })
    group.each.setup(async () => {
      await ServiceHeartbeat.query().whereIn('service', ['telephony', 'telephony-standby']).delete()
      return () => stopAllWorkers()
    })

    function telephonyWorker() {
      return startWorker('telephony:work', {
        ARI_URL: asterisk.ariUrl,
        ARI_USERNAME: asterisk.username,
        ARI_PASSWORD: asterisk.password,
        ARI_APP: asterisk.app,
        RECORDINGS_DIR: asterisk.recordingDir,
      })
    }

    /** The health row of the active worker is this one's, and it has ARI connected. */
    async function isActive(worker: WorkerProcess) {
      const beat = await ServiceHeartbeat.find('telephony')
      return beat?.status === 'ok' && (beat.detail ?? '').startsWith(`${worker.instance} · `)
    }
    async function standbyBeat(worker: WorkerProcess) {
      const beat = await ServiceHeartbeat.find('telephony-standby')
      return beat && (beat.detail ?? '').startsWith(`${worker.instance} · `) ? beat : null
    }

    /** Starts two workers at once and waits until one is active and the other says standby. */
    async function activeAndStandby(assert: { fail(message: string): never }) {
      const pair = [telephonyWorker(), telephonyWorker()]
      const roles = await waitFor(
        async () => {
          const [first, second] = pair
          if ((await isActive(first)) && (await standbyBeat(second)))
            return { active: first, standby: second }
          if ((await isActive(second)) && (await standbyBeat(first)))
            return { active: second, standby: first }
          return null
        },
        Boolean,
        30_000
      )
      if (!roles) {
        assert.fail(`no active/standby pair:\n${pair[0].output()}\n---\n${pair[1].output()}`)
      }
      // Agents' phones are pushed on connect: the call needs the agent's endpoint in Asterisk.
      const pushed = await waitFor(
        () =>
          fetch(`${asterisk.ariUrl}/ari/endpoints/PJSIP/t-${fixture.salesAgent.id}`, {
            headers: { authorization: auth() },
          }).then((r) => r.ok),
        Boolean,
        10_000
      )
      if (!pushed) assert.fail(`agent's phone never pushed:\n${roles!.active.output()}`)
      return roles!
    }

    async function agentReady() {
      await waitFor(
        () => AgentState.findOrFail(fixture.salesAgent.id),
        (s) => !['ringing', 'on_call', 'wrap_up'].includes(s.state),
        10_000
      )
      await AgentState.updateOrCreate(
        { userId: fixture.salesAgent.id },
        { state: 'available', since: DateTime.utc() }
      )
      return startPhone(fixture.ports[fixture.salesAgent.id])
    }

    function callsFrom(caller: string) {
      return Call.query().where('caller_number', caller).where('did', DID)
    }

    /** The caller's call ended normally after talking to the sales agent, and was recorded. */
    async function answeredByAgent(caller: string, minTalkSeconds: number) {
      const call = await waitFor(
        () => callsFrom(caller).first(),
        (c) => c?.state === 'ended' && c.hasRecording,
        15_000
      )
      return (
        call?.state === 'ended' &&
        call.agentId === fixture.salesAgent.id &&
        /^customer:/.test(call.endCause ?? '') &&
        call.talkSeconds >= minTalkSeconds &&
        (await Recording.findBy('call_id', call.id)) !== null
      )
    }

    test('two workers on one Asterisk: one answers the calls, the other waits as hot standby; a clean shutdown hands over at once', async ({
      assert,
    }) => {
      const { active, standby } = await activeAndStandby(assert)
      // The standby's first beat may come before it has read who holds the lock; it beats again
      // when it learns the holder, and every 10 s in any case.
      const beat = await waitFor(
        () => standbyBeat(standby),
        (b) => (b?.detail ?? '').includes(`active: ${active.instance}`),
        12_000
      )
      assert.include(beat!.detail, `active: ${active.instance}`)
      // What an admin sees on /admin/health: both workers, each with its role.
      const { checks } = await healthService.report()
      await redis.quitAll()
      assert.equal(checks['worker:telephony'].role, 'active')
      assert.include(checks['worker:telephony'].detail, active.instance)
      assert.equal(checks['worker:telephony-standby']?.role, 'standby')
      assert.equal(checks['worker:telephony-standby']?.status, 'ok')

      const phone = await agentReady()
      const sipp = await placeCall({
        sipPort: asterisk.sipPort,
        did: DID,
        caller: '13100131001',
        dtmf: '1',
        holdMs: 5_000,
      })
      phone.kill()
      assert.equal(sipp.successfulCalls, 1, `${sipp.output}\n${active.output()}`)
      assert.isTrue(await answeredByAgent('13100131001', 2), active.output())
      assert.lengthOf(await callsFrom('13100131001'), 1, 'the call was handled exactly once')
      // Only the active worker ever ran the Stasis app (pushing phones is the first thing it does).
      assert.include(active.output(), 'agent device(s)')
      assert.notInclude(standby.output(), 'agent device(s)', standby.output())
      assert.notInclude(active.output(), 'stepping down')

      // A clean shutdown releases the lock: the standby follows within about a second.
      await stopWorker(active.child)
      const stoppedAt = Date.now()
      assert.isTrue(await waitFor(() => isActive(standby), Boolean, 10_000), standby.output())
      assert.isBelow(Date.now() - stoppedAt, 4_000, 'handover after a clean shutdown')
      assert.isNull(await standbyBeat(standby), 'its standby row is gone')
    })

    test('the active worker killed mid-call: the standby takes over within seconds, the call goes on and is completed in the records, the next caller is answered', async ({
      assert,
    }) => {
      const { active, standby } = await activeAndStandby(assert)
      const phone = await agentReady()
      const calling = placeCall({
        sipPort: asterisk.sipPort,
        did: DID,
        caller: '13100131002',
        dtmf: '1',
        holdMs: 17_000,
        timeoutMs: 60_000,
      })
      const bridged = await waitFor(
        () => callsFrom('13100131002').first(),
        (c) => c?.state === 'bridged',
        20_000
      )
      assert.equal(bridged?.state, 'bridged', active.output())

      active.child.kill('SIGKILL')
      const killedAt = Date.now()
      assert.isTrue(await waitFor(() => isActive(standby), Boolean, 15_000), standby.output())
      // The lease runs out after 6 s, the standby checks every second, then connects.
      const tookOverMs = Date.now() - killedAt
      assert.isBelow(tookOverMs, 9_000)

      const result = await calling
      phone.kill()
      assert.equal(result.successfulCalls, 1, `the caller never noticed\n${standby.output()}`)
      assert.isTrue(await answeredByAgent('13100131002', 10), standby.output())

      const next = await agentReady()
      const sipp = await placeCall({
        sipPort: asterisk.sipPort,
        did: DID,
        caller: '13100131003',
        dtmf: '1',
        holdMs: 4_000,
      })
      next.kill()
      assert.equal(sipp.successfulCalls, 1, `${sipp.output}\n${standby.output()}`)
      assert.isTrue(await answeredByAgent('13100131003', 2), standby.output())
    })

    test('Redis down: calls are still answered and routed; the standby waits while the active worker lives and takes over when it dies; Redis back, the lock is confirmed and jobs run', async ({
      assert,
      cleanup,
    }) => {
      const { active, standby } = await activeAndStandby(assert)
      const jobs = startWorker('jobs:work')
      const jobsUp = await waitFor(
        () => ServiceHeartbeat.find('jobs'),
        (b) => b?.status === 'ok',
        30_000
      )
      assert.equal(jobsUp?.status, 'ok', jobs.output())
      cleanup(() => testRedis.start())

      await testRedis.stop()
      assert.isFalse(await listening(env.get('REDIS_PORT')), 'the test Redis is really down')
      const noticed = await waitFor(
        () => ServiceHeartbeat.find('telephony'),
        (b) => (b?.detail ?? '').includes('Redis unreachable'),
        15_000
      )
      assert.include(noticed?.detail, active.instance, active.output())
      assert.include(noticed?.detail, 'Redis unreachable')
      assert.equal(noticed?.status, 'ok', 'calls are fine')

      const phone = await agentReady()
      const sipp = await placeCall({
        sipPort: asterisk.sipPort,
        did: DID,
        caller: '13100131004',
        dtmf: '1',
        holdMs: 5_000,
      })
      phone.kill()
      assert.equal(sipp.successfulCalls, 1, `${sipp.output}\n${active.output()}`)
      assert.isTrue(await answeredByAgent('13100131004', 2), active.output())
      assert.isTrue(await isActive(active))
      assert.notInclude(standby.output(), 'agent device(s)', 'the standby never took over')

      // The active worker dies while Redis is still down: nobody can vouch for the lock, but
      // Asterisk shows nobody in the app, so the standby takes over rather than leave callers.
      active.child.kill('SIGKILL')
      const tookOver = await waitFor(
        () => ServiceHeartbeat.find('telephony'),
        (b) => b?.status === 'ok' && (b.detail ?? '').startsWith(`${standby.instance} · `),
        20_000
      )
      assert.include(tookOver?.detail, 'without the lock', standby.output())
      const second = await agentReady()
      const again = await placeCall({
        sipPort: asterisk.sipPort,
        did: DID,
        caller: '13100131005',
        dtmf: '1',
        holdMs: 4_000,
      })
      second.kill()
      assert.equal(again.successfulCalls, 1, `${again.output}\n${standby.output()}`)
      assert.isTrue(await answeredByAgent('13100131005', 2), standby.output())

      await testRedis.start()
      const confirmed = await waitFor(
        () => ServiceHeartbeat.find('telephony'),
        (b) => b?.status === 'ok' && !(b.detail ?? '').includes('Redis'),
        20_000
      )
      assert.equal(confirmed?.detail, `${standby.instance} · ARI connected`, standby.output())
      const lockKey = `ringdesk:telephony-worker:${normalizeAriBaseUrl(asterisk.ariUrl)}:${asterisk.app}`
      assert.match((await redis.get(lockKey)) ?? '', new RegExp(`^${standby.instance}:`))
      await redis.quitAll()

      // A job enqueued now runs on the job worker, which reconnected by itself.
      const user = await makeUser('agent')
      cleanup(() => user.delete())
      const stale = await UserSession.create({
        sessionId: `stale-redis-${Date.now()}`,
        userId: user.id,
        device: 'Chrome on Windows',
        lastSeenAt: DateTime.utc().minus({ hours: 2 }),
      })
      const queue = new Queue(QUEUES.maintenance, { connection })
      cleanup(() => queue.close())
      await queue.add('expire-sessions', {})
      const ended = await waitFor(
        () => stale.refresh(),
        (s) => s.endedAt !== null,
        20_000
      )
      assert.isNotNull(ended.endedAt, jobs.output())
      // Redis came back empty: the worker put its recurring schedules back too.
      const schedulers = await waitFor(
        () => queue.getJobSchedulers(),
        (list) => list.some((s) => s.key === 'expire-sessions'),
        10_000
      )
      assert.isTrue(
        schedulers.some((s) => s.key === 'expire-sessions'),
        jobs.output()
      )
    })
  }
)

function listening(port: number) {
  return new Promise<boolean>((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}
