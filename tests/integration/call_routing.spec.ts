import { setTimeout as sleep } from 'node:timers/promises'
import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import AgentState from '#models/agent_state'
import Call from '#models/call'
import CallEvent from '#models/call_event'
import { createAri, type Ari } from '#telephony/ari/index'
import StasisApp from '#telephony/stasis/stasis_app'
import { placeCall, startTestAsterisk, type TestAsterisk } from '#tests/helpers/asterisk'
import { seed, startPhone, stopPhones, waitFor } from '#tests/helpers/call_fixture'

/*
| Routing decisions on the real Asterisk: caller priority in the queue and the closed-hours
| branch of an inbound route.
*/

const DID = '4008003000'
const CLOSED_DID = '4008003999'

function now() {
  return DateTime.utc().toFormat(db.connection().dialect.dateTimeFormat)
}

function callOf(caller: string, started: number) {
  return Call.query()
    .where('caller_number', caller)
    .where(
      'created_at',
      '>=',
      DateTime.fromMillis(started - 1000)
        .toUTC()
        .toFormat(db.connection().dialect.dateTimeFormat)
    )
    .orderBy('id', 'desc')
    .first()
}

test.group('Calls | routing decisions (real Asterisk, SIPp)', (group) => {
  let asterisk: TestAsterisk
  let ari: Ari
  let app: StasisApp
  let fixture: Awaited<ReturnType<typeof seed>>

  group.setup(async () => {
    asterisk = await startTestAsterisk()
    fixture = await seed(DID)
    ari = createAri({
      url: asterisk.ariUrl,
      username: asterisk.username,
      password: asterisk.password,
      app: asterisk.app,
    })
    app = new StasisApp(ari, { recordingDir: asterisk.recordingDir, dispatchEveryMs: 300 })
    app.start()
    ari.events.start()
    await ari.events.waitForConnected(10_000)
    await waitFor(
      () =>
        ari.client.getApplication(asterisk.app).then(
          () => true,
          () => false
        ),
      Boolean,
      5_000
    )
    await waitFor(
      () =>
        ari.client.request('GET', `/endpoints/PJSIP/t-${fixture.salesAgent.id}`).then(
          () => true,
          () => false
        ),
      Boolean,
      5_000
    )
    return async () => {
      app.stop()
      await ari.events.stop()
      await stopPhones()
      await asterisk.stop()
    }
  })

  test('a VIP caller is answered before an earlier normal caller', async ({ assert }) => {
    await db.table('customers').insert({
      phone_number: '13900000888',
      name: '王总 (VIP)',
      tier: 'vip',
      created_at: now(),
      updated_at: now(),
    })
    // The only Sales agent is busy while both callers queue up.
    await AgentState.updateOrCreate(
      { userId: fixture.salesAgent.id },
      { state: 'on_call', since: DateTime.utc() }
    )
    const started = Date.now()
    const normal = placeCall({
      sipPort: asterisk.sipPort,
      did: DID,
      caller: '13900000111',
      dtmf: '1',
      holdMs: 12_000,
      timeoutMs: 40_000,
    })
    await sleep(2500)
    const vip = placeCall({
      sipPort: asterisk.sipPort,
      did: DID,
      caller: '13900000888',
      dtmf: '1',
      holdMs: 9_000,
      timeoutMs: 40_000,
    })
    await waitFor(
      () => callOf('13900000888', started),
      (c) => c?.state === 'queue',
      10_000
    )
    // The agent becomes free: the VIP caller, who came second, is offered first.
    const phone = startPhone(fixture.ports[fixture.salesAgent.id])
    await AgentState.updateOrCreate(
      { userId: fixture.salesAgent.id },
      { state: 'available', since: DateTime.utc() }
    )
    await Promise.all([normal, vip])
    phone.kill()

    const vipCall = await waitFor(
      () => callOf('13900000888', started),
      (c) => c?.state === 'ended',
      10_000
    )
    const normalCall = await waitFor(
      () => callOf('13900000111', started),
      (c) => c?.state === 'ended',
      10_000
    )
    assert.equal(vipCall!.agentId, fixture.salesAgent.id)
    assert.isNotNull(vipCall!.answeredAt)
    assert.isTrue(normalCall!.abandoned, 'the earlier normal caller was still waiting')
    const entered = await CallEvent.query()
      .where('call_id', vipCall!.id)
      .where('type', 'queue_entered')
      .firstOrFail()
    assert.isTrue(entered.data?.vip)
  })

  test('outside opening hours the route takes its closed-hours branch', async ({ assert }) => {
    // A calendar that is never open (no weekly hours).
    const [calendar] = await db
      .table('calendars')
      .insert({
        name: `Never open ${Date.now()}`,
        time_zone: 'Asia/Shanghai',
        weekly: JSON.stringify({}),
        holidays: JSON.stringify([]),
        workday_overrides: JSON.stringify([]),
        created_at: now(),
        updated_at: now(),
      })
      .returning('id')
    // Closed: a short announcement, then goodbye.
    const nodes = {
      closed: { type: 'play', prompt: { kind: 'builtin', sound: 'vm-goodbye' }, next: 'bye' },
      bye: { type: 'hangup' },
    }
    const [flow] = await db
      .table('ivr_flows')
      .insert({
        name: `Closed message ${Date.now()}`,
        entry_node: 'closed',
        nodes: JSON.stringify(nodes),
        version: 1,
        created_at: now(),
        updated_at: now(),
      })
      .returning('id')
    await db.table('inbound_routes').insert({
      name: `Closed line ${Date.now()}`,
      did_pattern: CLOSED_DID,
      priority: 10,
      target_type: 'queue',
      target_id: fixture.sales,
      calendar_id: Number(typeof calendar === 'object' ? calendar.id : calendar),
      closed_target_type: 'ivr',
      closed_target_id: Number(typeof flow === 'object' ? flow.id : flow),
      enabled: true,
      created_at: now(),
      updated_at: now(),
    })
    const started = Date.now()
    const result = await placeCall({
      sipPort: asterisk.sipPort,
      did: CLOSED_DID,
      caller: '13900000222',
      holdMs: 10_000,
    })
    assert.equal(result.successfulCalls, 1, result.output)
    assert.isBelow(Date.now() - started, 8_000, 'told we are closed, not queued')
    const call = await waitFor(
      () => callOf('13900000222', started),
      (c) => c?.state === 'ended',
      5_000
    )
    assert.isNull(call!.queueId)
    const route = await CallEvent.query()
      .where('call_id', call!.id)
      .where('type', 'route_selected')
      .firstOrFail()
    assert.isFalse(route.data?.open)
    assert.equal(route.data?.targetType, 'ivr')
    assert.equal(call!.endCause, 'system:ivr_hangup')
  })

  test('a changed IVR flow or route applies to the next call, with the worker running', async ({
    assert,
  }) => {
    const did = '4008003777'
    // Each flow says goodbye from a node whose name the timeline records.
    const goodbyeFrom = (node: string) =>
      JSON.stringify({
        [node]: { type: 'play', prompt: { kind: 'builtin', sound: 'vm-goodbye' }, next: 'bye' },
        bye: { type: 'hangup' },
      })
    const flow = async (entry: string) => {
      const [row] = await db
        .table('ivr_flows')
        .insert({
          name: `Changing ${entry} ${Date.now()}`,
          entry_node: entry,
          nodes: goodbyeFrom(entry),
          version: 1,
          created_at: now(),
          updated_at: now(),
        })
        .returning('id')
      return Number(typeof row === 'object' ? row.id : row)
    }
    const first = await flow('first')
    const second = await flow('second')
    const [route] = await db
      .table('inbound_routes')
      .insert({
        name: `Changing line ${Date.now()}`,
        did_pattern: did,
        priority: 10,
        target_type: 'ivr',
        target_id: first,
        enabled: true,
        created_at: now(),
        updated_at: now(),
      })
      .returning('id')
    const routeId = Number(typeof route === 'object' ? route.id : route)
    const entryNodeOf = async (caller: string) => {
      const started = Date.now()
      const result = await placeCall({ sipPort: asterisk.sipPort, did, caller, holdMs: 8_000 })
      assert.equal(result.successfulCalls, 1, result.output)
      const call = await waitFor(
        () => callOf(caller, started),
        (c) => c?.state === 'ended',
        5_000
      )
      const node = await CallEvent.query()
        .where('call_id', call!.id)
        .where('type', 'ivr_node')
        .orderBy('id')
        .firstOrFail()
      return node.data?.nodeId
    }

    assert.equal(await entryNodeOf('13900000301'), 'first')
    // An admin edits the flow the route points at (any writer: the database tells the worker).
    await db
      .from('ivr_flows')
      .where('id', first)
      .update({ entry_node: 'edited', nodes: goodbyeFrom('edited'), version: 2 })
    assert.equal(await entryNodeOf('13900000302'), 'edited')
    // ... and then points the route at another flow.
    await db.from('inbound_routes').where('id', routeId).update({ target_id: second })
    assert.equal(await entryNodeOf('13900000303'), 'second')
  })
})
