import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { DateTime } from 'luxon'
import Call from '#models/call'
import CallLeg from '#models/call_leg'
import CallEvent from '#models/call_event'
import Recording from '#models/recording'
import Queue from '#models/queue'
import type User from '#models/user'
import { makeTeam, makeUser, setMfaRequired } from '#tests/helpers/accounts'
import { auditEntries, signedIn } from './support.js'

async function makeQueue(name: string) {
  return Queue.create({
    name: `${name} ${Date.now()}-${Math.random()}`,
    strategy: 'longest_idle',
    requiredSkillId: null,
    requiredSkillLevel: 1,
    priority: 0,
    ringTimeoutSeconds: 20,
    wrapUpSeconds: 15,
    maxWaitSeconds: 300,
    overflowAction: 'voicemail',
    overflowTarget: null,
    announceEverySeconds: 60,
    musicOnHold: 'default',
    recordingRetentionDays: 180,
    serviceLevelSeconds: 20,
  })
}

/** A finished call as the telephony worker would have written it. */
async function makeCall(
  options: {
    queue?: Queue
    agent?: User | null
    startedAt?: DateTime
    callerNumber?: string
    waitSeconds?: number
    answered?: boolean
    direction?: 'inbound' | 'outbound'
  } = {}
) {
  const startedAt = options.startedAt ?? DateTime.utc().minus({ hours: 1 })
  const answered = options.answered ?? true
  return Call.create({
    uuid: randomUUID(),
    direction: options.direction ?? 'inbound',
    did: '4008001000',
    callerNumber: options.callerNumber ?? '13800138000',
    callerName: null,
    customerId: null,
    startedAt,
    answeredAt: answered ? startedAt.plus({ seconds: options.waitSeconds ?? 10 }) : null,
    endedAt: startedAt.plus({ minutes: 3 }),
    endCause: 'normal_clearing',
    routeId: null,
    ivrFlowId: null,
    ivrFlowVersion: null,
    queueId: options.queue?.id ?? null,
    agentId: answered ? (options.agent?.id ?? null) : null,
    waitSeconds: options.waitSeconds ?? 10,
    talkSeconds: answered ? 150 : 0,
    holdSeconds: 0,
    wrapUpSeconds: answered ? 15 : 0,
    transferred: false,
    abandoned: !answered,
    hasRecording: answered,
    state: 'ended',
  })
}

test.group('Call records', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.setup(() =>
    setMfaRequired({ admin: false, supervisor: false, team_lead: false, agent: false })
  )

  test('the call list pages and sorts on the server', async ({ assert }) => {
    const { agent } = await signedIn('supervisor')
    const queue = await makeQueue('Sales')
    for (let i = 0; i < 12; i++) await makeCall({ queue, waitSeconds: i })

    const page1 = await agent.get(
      `/calls?queueId=${queue.id}&perPage=10&sort=wait_seconds&order=asc`,
      'application/json'
    )
    assert.equal(page1.status, 200, page1.text)
    assert.equal(page1.json.meta.total, 12)
    assert.lengthOf(page1.json.calls, 10)
    assert.deepEqual(
      page1.json.calls.slice(0, 3).map((c: any) => c.waitSeconds),
      [0, 1, 2]
    )
    assert.equal(page1.json.calls[0].queue.name, queue.name)
    assert.match(page1.json.calls[0].id, /^[0-9a-f-]{36}$/)
    const page2 = await agent.get(
      `/calls?queueId=${queue.id}&perPage=10&page=2&sort=wait_seconds&order=asc`,
      'application/json'
    )
    assert.deepEqual(
      page2.json.calls.map((c: any) => c.waitSeconds),
      [10, 11]
    )

    const bad = await agent.get('/calls?sort=caller_name;drop', 'application/json')
    assert.equal(bad.status, 422)
    assert.equal(bad.json.errors[0].field, 'sort')

    const html = await agent.get(`/calls?queueId=${queue.id}`)
    assert.equal(html.page?.component, 'telephony/calls/index')
    assert.equal(html.page?.props.meta.total, 12)
  })

  test('the call list filters by date, queue, agent, direction, outcome and caller', async ({
    assert,
  }) => {
    const { agent } = await signedIn('admin')
    const sales = await makeQueue('Sales')
    const support = await makeQueue('Support')
    const liu = await makeUser('agent')
    const day = (d: number) => DateTime.fromISO(`2026-03-0${d}T12:00:00Z`)
    await makeCall({ queue: sales, agent: liu, startedAt: day(1), callerNumber: '13911112222' })
    const middle = await makeCall({ queue: sales, agent: liu, startedAt: day(3) })
    await makeCall({ queue: support, startedAt: day(5), answered: false })
    await makeCall({ queue: support, startedAt: day(5), direction: 'outbound', agent: liu })

    const ids = async (qs: string) => {
      const res = await agent.get(`/calls?perPage=100&${qs}`, 'application/json')
      assert.equal(res.status, 200, res.text)
      return res.json.calls.map((c: any) => c.id)
    }
    assert.deepEqual(await ids('from=2026-03-02&to=2026-03-04'), [middle.uuid])
    assert.lengthOf(await ids(`queueId=${sales.id}`), 2)
    assert.lengthOf(await ids(`agentId=${liu.id}`), 3)
    assert.lengthOf(await ids(`queueId=${support.id}&outcome=abandoned`), 1)
    assert.lengthOf(await ids(`queueId=${support.id}&outcome=answered`), 1)
    assert.lengthOf(await ids(`queueId=${support.id}&direction=outbound`), 1)
    assert.lengthOf(await ids('caller=1111'), 1)

    const abandoned = await agent.get(
      `/calls?queueId=${support.id}&outcome=abandoned`,
      'application/json'
    )
    assert.equal(abandoned.json.calls[0].outcome, 'abandoned')
    assert.isNull(abandoned.json.calls[0].agent)
  })

  test("a team lead sees only calls handled by their team's agents", async ({ assert }) => {
    const mine = await makeTeam()
    const theirs = await makeTeam()
    const { agent } = await signedIn('team_lead', { teamId: mine.id })
    const teammate = await makeUser('agent', { teamId: mine.id })
    const stranger = await makeUser('agent', { teamId: theirs.id })
    const queue = await makeQueue('Sales')
    const ours = await makeCall({ queue, agent: teammate })
    const other = await makeCall({ queue, agent: stranger })
    const nobody = await makeCall({ queue, answered: false })

    const list = await agent.get(`/calls?queueId=${queue.id}`, 'application/json')
    assert.deepEqual(
      list.json.calls.map((c: any) => c.id),
      [ours.uuid]
    )
    // Asking for another team's agent does not widen the list.
    const sneaky = await agent.get(`/calls?agentId=${stranger.id}`, 'application/json')
    assert.lengthOf(sneaky.json.calls, 0)
    const pickable = list.json.agents.map((a: any) => a.id)
    assert.include(pickable, teammate.id)
    assert.notInclude(pickable, stranger.id)

    assert.equal((await agent.get(`/calls/${ours.uuid}`, 'application/json')).status, 200)
    assert.equal((await agent.get(`/calls/${other.uuid}`, 'application/json')).status, 403)
    assert.equal((await agent.get(`/calls/${nobody.uuid}`, 'application/json')).status, 403)
  })

  test('an agent cannot open the call records', async ({ assert }) => {
    const { agent } = await signedIn('agent')
    const call = await makeCall()
    assert.equal((await agent.get('/calls', 'application/json')).status, 403)
    assert.equal((await agent.get(`/calls/${call.uuid}`, 'application/json')).status, 403)
  })

  test('a call opens with its legs and timeline; each opening is audited', async ({ assert }) => {
    const { user: supervisor, agent } = await signedIn('supervisor')
    const liu = await makeUser('agent')
    const queue = await makeQueue('Support')
    const call = await makeCall({ queue, agent: liu })
    const t0 = call.startedAt.toMillis()
    await CallLeg.createMany([
      {
        callId: call.id,
        channelId: `ch-${call.uuid}-agent`,
        kind: 'agent',
        endpoint: 'PJSIP/1004',
        userId: liu.id,
        startedAt: call.startedAt.plus({ seconds: 8 }),
        answeredAt: call.startedAt.plus({ seconds: 10 }),
        endedAt: call.endedAt,
        cause: 'normal_clearing',
      },
      {
        callId: call.id,
        channelId: `ch-${call.uuid}-customer`,
        kind: 'customer',
        endpoint: 'PJSIP/sipp-trunk',
        userId: null,
        startedAt: call.startedAt,
        answeredAt: call.startedAt,
        endedAt: call.endedAt,
        cause: 'normal_clearing',
      },
    ])
    // Inserted out of order, a few milliseconds apart: the timeline is sorted by time.
    await CallEvent.createMany([
      { callId: call.id, at: t0 + 10_004, type: 'answered', data: { agentId: liu.id } },
      { callId: call.id, at: t0 + 2, type: 'queue_entered', data: { queueId: queue.id } },
      { callId: call.id, at: t0 + 8_001, type: 'offered', data: { agentId: liu.id } },
    ])
    await Recording.create({
      callId: call.id,
      storagePath: '/var/lib/ringdesk/recordings/secret-path.wav.enc',
      format: 'wav',
      bytes: 123456,
      durationMs: 150_000,
      encrypted: true,
      keyId: 'k1',
      iv: 'aa',
      authTag: 'bb',
      sha256: 'cc',
      retentionUntil: DateTime.utc().plus({ days: 180 }),
      deletedAt: null,
    })

    const res = await agent.get(`/calls/${call.uuid}`, 'application/json')
    assert.equal(res.status, 200, res.text)
    const shown = res.json.call
    assert.equal(shown.id, call.uuid)
    assert.equal(shown.agent.fullName, liu.fullName)
    assert.deepEqual(
      shown.legs.map((l: any) => l.kind),
      ['customer', 'agent']
    )
    assert.deepEqual(
      shown.events.map((e: any) => [e.type, e.at - t0]),
      [
        ['queue_entered', 2],
        ['offered', 8001],
        ['answered', 10004],
      ]
    )
    assert.equal(shown.events[2].data.agentId, liu.id)
    assert.equal(shown.recordings[0].durationMs, 150_000)
    assert.notInclude(res.text, 'secret-path')
    assert.isTrue(res.json.canListen)

    await agent.get(`/calls/${call.uuid}`)
    const entries = await auditEntries('call.viewed', call.uuid)
    assert.lengthOf(entries, 2)
    assert.equal(entries[0].actorId, supervisor.id)

    assert.equal((await agent.get(`/calls/${randomUUID()}`, 'application/json')).status, 404)
  })
})
