import { spawnSync } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import AgentState from '#models/agent_state'
import AuditLog from '#models/audit_log'
import Call from '#models/call'
import CallEvent from '#models/call_event'
import CallbackRequest from '#models/callback_request'
import Recording from '#models/recording'
import Voicemail from '#models/voicemail'
import { recordingVault } from '#services/recording_vault'
import { createAri, type Ari } from '#telephony/ari/index'
import StasisApp from '#telephony/stasis/stasis_app'
import { placeCall, startTestAsterisk, type TestAsterisk } from '#tests/helpers/asterisk'
import { seed, startPhone, stopPhones, waitFor } from '#tests/helpers/call_fixture'

/*
| What happens to a caller who waits too long (overflow to voicemail, to a callback request) and
| to a call an agent hands on (blind transfer to a queue and to an outside number, hold), on the
| real Asterisk with SIPp callers and SIPp desk phones.
*/

const DID = '4008004000'

function now() {
  return DateTime.utc().toFormat(db.connection().dialect.dateTimeFormat)
}

async function makeQueue(name: string, changes: Record<string, unknown>) {
  const [row] = await db
    .table('queues')
    .insert({
      name: `${name}-${Date.now()}`,
      strategy: 'longest_idle',
      required_skill_level: 1,
      priority: 0,
      ring_timeout_seconds: 4,
      wrap_up_seconds: 1,
      max_wait_seconds: 0,
      overflow_action: 'hangup',
      announce_every_seconds: 0,
      music_on_hold: 'default',
      recording_retention_days: 30,
      service_level_seconds: 20,
      created_at: now(),
      updated_at: now(),
      ...changes,
    })
    .returning('id')
  return Number(typeof row === 'object' ? row.id : row)
}

async function routeTo(did: string, queueId: number) {
  await db.table('inbound_routes').insert({
    name: `Direct ${did}`,
    did_pattern: did,
    priority: 200,
    target_type: 'queue',
    target_id: queueId,
    enabled: true,
    created_at: now(),
    updated_at: now(),
  })
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

async function typesOf(callId: number) {
  const events = await CallEvent.query().where('call_id', callId).orderBy('at').orderBy('id')
  return { events, types: events.map((e) => e.type) }
}

/** sox's RMS amplitude of a decrypted recording: above ~0.05 it holds a voice or a tone. */
async function rmsOf(recording: Recording) {
  const plain = join(tmpdir(), `rd-test-${recording.id}.wav`)
  await recordingVault().decryptTo(recording, plain)
  const sox = spawnSync('sox', [plain, '-n', 'stat'], { encoding: 'utf8' })
  return Number(sox.stderr.match(/RMS\s+amplitude:\s+([\d.]+)/)?.[1] ?? 0)
}

async function available(...userIds: number[]) {
  for (const userId of userIds)
    await AgentState.updateOrCreate(
      { userId },
      { state: 'available', since: DateTime.utc().minus({ minutes: 5 }) }
    )
}

test.group('Calls | overflow, voicemail, callback, transfer (real Asterisk, SIPp)', (group) => {
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
    // The "carrier" is one of the SIPp desk phones: PJSIP/<number>@<its endpoint> reaches it.
    app = new StasisApp(ari, {
      recordingDir: asterisk.recordingDir,
      dispatchEveryMs: 300,
      outboundTrunk: `t-${fixture.beginner.id}`,
      // What went wrong in the worker shows in the test log, next to the failing test.
      logger: {
        info: () => {},
        warning: (message) => console.log('WARN', message),
        error: (message) => console.log('ERR', message),
      },
    })
    app.start()
    ari.events.start()
    await ari.events.waitForConnected(10_000)
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

  test('a caller who waits past the max wait overflows to voicemail and leaves a message', async ({
    assert,
  }) => {
    // Nobody staffs this queue: after 3 s the caller is asked for a message.
    const queueId = await makeQueue('Empty', {
      max_wait_seconds: 3,
      overflow_action: 'voicemail',
    })
    await routeTo('4008004101', queueId)
    const started = Date.now()
    const result = await placeCall({
      sipPort: asterisk.sipPort,
      did: '4008004101',
      caller: '13700137001',
      holdMs: 16_000,
      timeoutMs: 40_000,
    })
    assert.equal(result.successfulCalls, 1, result.output)

    const call = await waitFor(
      () => callOf('13700137001', started),
      (c) => c?.state === 'ended',
      10_000
    )
    const { types, events } = await typesOf(call!.id)
    for (const expected of [
      'queue_entered',
      'overflowed',
      'queue_left',
      'voicemail',
      'voicemail_left',
    ])
      assert.include(types, expected)
    assert.isBelow(types.indexOf('overflowed'), types.indexOf('voicemail'))
    const overflowed = events.find((e) => e.type === 'overflowed')!
    const entered = events.find((e) => e.type === 'queue_entered')!
    assert.closeTo(overflowed.at - entered.at, 3000, 1000, 'overflow after the max wait')
    assert.isFalse(call!.abandoned, 'leaving a message is not abandoning')
    // The caller hangs up, or falls silent and hears goodbye: either way the message is kept.
    assert.match(call!.endCause ?? '', /^(customer:|system:voicemail_left$)/)

    const message = await waitFor(
      () => Voicemail.findBy('call_id', call!.id),
      (v) => v !== null,
      5_000
    )
    assert.exists(message, 'the voicemail shows up for the queue')
    assert.equal(message!.queueId, queueId)
    const recording = await waitFor(
      () => Recording.findOrFail(message!.recordingId!),
      (r) => r.encrypted,
      5_000
    )
    assert.equal(recording.kind, 'voicemail')
    assert.isTrue(recording.encrypted, 'the message is encrypted at rest')
    // The caller talks from the beep until their hang-up: several seconds of audio.
    assert.isAbove(message!.durationMs, 4000)
    assert.isAbove(await rmsOf(recording), 0.05, 'the message holds the caller, not silence')
    const plaintext = (await readdir(asterisk.recordingDir)).filter((f) => f.includes(call!.uuid))
    assert.deepEqual(plaintext, [], 'no plaintext left in Asterisk’s directory')
    const audit = await AuditLog.query()
      .where('action', 'voicemail.received')
      .where('target_id', String(message!.id))
      .first()
    assert.exists(audit, 'the new voicemail is in the audit log')
  })

  test('a waiting caller hears their position, then overflows to another queue and keeps their place', async ({
    assert,
  }) => {
    await available(fixture.salesAgent.id)
    // A queue nobody staffs announces every 2 s and sends callers on to Sales after 5 s.
    const queueId = await makeQueue('Announcing', {
      max_wait_seconds: 5,
      announce_every_seconds: 2,
      overflow_action: 'queue',
      overflow_target: String(fixture.sales),
    })
    await routeTo('4008004104', queueId)
    const phone = startPhone(fixture.ports[fixture.salesAgent.id])
    const started = Date.now()
    const result = await placeCall({
      sipPort: asterisk.sipPort,
      did: '4008004104',
      caller: '13700137009',
      holdMs: 12_000,
      timeoutMs: 40_000,
    })
    assert.equal(result.successfulCalls, 1, result.output)
    phone.kill()
    const call = await waitFor(
      () => callOf('13700137009', started),
      (c) => c?.state === 'ended',
      10_000
    )
    const { events, types } = await typesOf(call!.id)
    const announced = events.filter((e) => e.type === 'announced')
    assert.isAtLeast(announced.length, 1, 'the caller heard where they are')
    assert.equal(announced[0].data?.position, 1)
    assert.isNull(
      announced[0].data?.estimatedWaitSeconds,
      'no wait is promised with nobody staffed'
    )
    assert.include(types, 'overflowed')
    const entries = events.filter((e) => e.type === 'queue_entered')
    assert.deepEqual(
      entries.map((e) => e.data?.queueId),
      [queueId, fixture.sales]
    )
    assert.isTrue(entries[1].data?.keptPlace, 'the next queue orders them by their first entry')
    assert.equal(call!.queueId, fixture.sales)
    assert.equal(call!.agentId, fixture.salesAgent.id, 'answered in the overflow queue')
    assert.isFalse(call!.abandoned)
  })

  test('a caller who waits past the max wait gets a callback request that keeps their place', async ({
    assert,
  }) => {
    const queueId = await makeQueue('Callback', {
      max_wait_seconds: 2,
      overflow_action: 'callback',
    })
    await routeTo('4008004102', queueId)
    const started = Date.now()
    const result = await placeCall({
      sipPort: asterisk.sipPort,
      did: '4008004102',
      caller: '13700137002',
      holdMs: 15_000,
      timeoutMs: 40_000,
    })
    assert.equal(result.successfulCalls, 1, result.output)
    const call = await waitFor(
      () => callOf('13700137002', started),
      (c) => c?.state === 'ended',
      10_000
    )
    assert.equal(call!.endCause, 'system:callback_requested', 'the system said goodbye')
    assert.isFalse(call!.abandoned)
    assert.isBelow(
      call!.endedAt!.toMillis() - started,
      12_000,
      'the caller was not kept waiting after the request'
    )

    const request = await CallbackRequest.findByOrFail('call_id', call!.id)
    assert.equal(request.status, 'pending')
    assert.equal(request.number, '13700137002')
    assert.equal(request.queueId, queueId)
    const { events, types } = await typesOf(call!.id)
    assert.include(types, 'callback_requested')
    const entered = events.find((e) => e.type === 'queue_entered')!
    assert.closeTo(
      request.enteredAt.toMillis(),
      entered.at,
      1000,
      'the request keeps the time the caller joined the queue'
    )
  })

  test('a callback request is dialled in the caller’s turn: the agent first, then the customer', async ({
    assert,
  }) => {
    // The only agent of this queue is busy: the first caller overflows to a callback request.
    const queueId = await makeQueue('Callback turn', {
      max_wait_seconds: 2,
      overflow_action: 'callback',
    })
    await db.table('queue_agents').insert({
      queue_id: queueId,
      user_id: fixture.fluent.id,
      penalty: 0,
      created_at: now(),
    })
    await routeTo('4008004103', queueId)
    await AgentState.updateOrCreate(
      { userId: fixture.fluent.id },
      { state: 'on_call', since: DateTime.utc() }
    )
    await AgentState.updateOrCreate({ userId: fixture.beginner.id }, { state: 'offline' })
    const started = Date.now()
    const first = await placeCall({
      sipPort: asterisk.sipPort,
      did: '4008004103',
      caller: '13700137007',
      holdMs: 10_000,
      timeoutMs: 30_000,
    })
    assert.equal(first.successfulCalls, 1, first.output)
    const found = await CallbackRequest.query()
      .where('number', '13700137007')
      .where('queue_id', queueId)
      .first()
    if (!found) {
      // What the worker recorded for that call, to tell where it went instead.
      const call = await callOf('13700137007', started)
      const events = call ? (await typesOf(call.id)).events : []
      console.log(
        'ERR no callback request; the call:',
        call ? `${call.state} queue ${call.queueId} (this test's: ${queueId})` : 'none',
        events.map((e) => `${e.at} ${e.type} ${JSON.stringify(e.data)}`)
      )
    }
    assert.exists(found, 'the caller got a callback request')
    const request = found!
    assert.equal(request.status, 'pending')

    // A second caller arrives later and waits (no max wait now: the change applies at once).
    await db.from('queues').where('id', queueId).update({ max_wait_seconds: 0 })
    const second = placeCall({
      sipPort: asterisk.sipPort,
      did: '4008004103',
      caller: '13700137008',
      holdMs: 14_000,
      timeoutMs: 40_000,
    })
    await waitFor(
      () => callOf('13700137008', started),
      (c) => c?.state === 'queue',
      10_000
    )
    // The agent becomes free: the callback, whose place is earlier, is served first.
    const agentPhone = startPhone(fixture.ports[fixture.fluent.id])
    const carrier = startPhone(fixture.ports[fixture.beginner.id])
    await AgentState.updateOrCreate(
      { userId: fixture.fluent.id },
      { state: 'available', since: DateTime.utc() }
    )
    const callback = await waitFor(
      () => CallbackRequest.findOrFail(request.id),
      (r) => r.status === 'done',
      15_000
    )
    assert.equal(callback.status, 'done', 'the customer was reached')
    assert.equal(callback.handledBy, fixture.fluent.id)
    const call = await Call.findOrFail(callback.callbackCallId!)
    assert.equal(call.direction, 'outbound')
    assert.equal(call.state, 'bridged')
    assert.equal(call.agentId, fixture.fluent.id)
    const legs = await db.from('call_legs').where('call_id', call.id).orderBy('id')
    const customer = legs.find((leg) => leg.kind === 'customer')
    assert.equal(customer.endpoint, `PJSIP/13700137007@t-${fixture.beginner.id}`)
    assert.isNotNull(customer.answered_at)
    const agentLeg = legs.find((leg) => leg.kind === 'agent')
    assert.isBelow(
      DateTime.fromJSDate(new Date(agentLeg.answered_at)).toMillis() - 1,
      DateTime.fromJSDate(new Date(customer.started_at)).toMillis() + 1000,
      'the agent answers before the customer is dialled'
    )

    // Both SIPp phones only echo: a prompt played into the conversation stands in for the
    // customer talking. Then the customer hangs up; the call is recorded like any other.
    const bridge = (await ari.client.listBridges()).find((b) => b.name === `call-${call.uuid}`)
    assert.lengthOf(bridge!.channels, 2, 'agent and customer are talking')
    await ari.client.request('POST', `/bridges/${bridge!.id}/play`, {
      query: { media: 'sound:demo-congrats' },
    })
    await new Promise((resolve) => setTimeout(resolve, 3000))
    await ari.client.hangup(customer.channel_id)
    const ended = await waitFor(
      () => Call.findOrFail(call.id),
      (c) => c.state === 'ended' && c.hasRecording,
      10_000
    )
    assert.isTrue(ended.hasRecording)
    const secondCall = await callOf('13700137008', started)
    const secondOffered = await CallEvent.query()
      .where('call_id', secondCall!.id)
      .where('type', 'offered')
      .first()
    const callbackOffered = await CallEvent.query()
      .where('call_id', call.id)
      .where('type', 'offered')
      .firstOrFail()
    if (secondOffered)
      assert.isBelow(callbackOffered.at, secondOffered.at, 'the earlier place is served first')
    await second
    agentPhone.kill()
    carrier.kill()
  })

  test('an agent blind-transfers a call to another queue: the next agent answers, both parts are recorded', async ({
    assert,
  }) => {
    await available(fixture.salesAgent.id, fixture.fluent.id, fixture.beginner.id)
    const salesPhone = startPhone(fixture.ports[fixture.salesAgent.id])
    const supportPhone = startPhone(fixture.ports[fixture.fluent.id])
    const started = Date.now()
    // Menu: 1 → Sales.
    const caller = placeCall({
      sipPort: asterisk.sipPort,
      did: DID,
      caller: '13700137003',
      dtmf: '1',
      holdMs: 16_000,
      timeoutMs: 40_000,
    })
    const bridged = await waitFor(
      () => callOf('13700137003', started),
      (c) => c?.state === 'bridged',
      15_000
    )
    assert.equal(bridged?.agentId, fixture.salesAgent.id)
    await new Promise((resolve) => setTimeout(resolve, 2500))

    // The web asks for the transfer through call_commands, as the agent's console does.
    const [row] = await db
      .table('call_commands')
      .insert({
        call_uuid: bridged!.uuid,
        kind: 'transfer',
        payload: JSON.stringify({ type: 'queue', queueId: fixture.support }),
        requested_by: fixture.salesAgent.id,
        status: 'pending',
        created_at: now(),
      })
      .returning('id')
    const commandId = Number(typeof row === 'object' ? row.id : row)
    const command = await waitFor(
      () => db.from('call_commands').where('id', commandId).first(),
      (c) => c !== undefined && !['pending', 'running'].includes(c.status),
      5_000
    )
    assert.equal(command.status, 'done', command.result)

    const result = await caller
    assert.equal(result.successfulCalls, 1, result.output)
    salesPhone.kill()
    supportPhone.kill()
    const call = await waitFor(
      () => Call.findByOrFail('uuid', bridged!.uuid),
      (c) => c.state === 'ended',
      10_000
    )
    assert.isTrue(call.transferred)
    assert.equal(call.agentId, fixture.fluent.id, 'the Support agent took the call')
    assert.equal(call.queueId, fixture.support)
    assert.isFalse(call.abandoned)

    const { events, types } = await typesOf(call.id)
    const answers = events.filter((e) => e.type === 'answered').map((e) => e.data?.agentId)
    assert.deepEqual(answers, [fixture.salesAgent.id, fixture.fluent.id])
    assert.isBelow(types.indexOf('transferred'), types.lastIndexOf('queue_entered'))
    const transferred = events.find((e) => e.type === 'transferred')!
    assert.equal(transferred.data?.fromAgentId, fixture.salesAgent.id)
    assert.equal(transferred.data?.to, 'queue')

    const recordings = await waitFor(
      () => Recording.query().where('call_id', call.id).where('kind', 'call').orderBy('id'),
      (rs) => rs.length === 2 && rs.every((r) => r.encrypted),
      8_000
    )
    assert.lengthOf(recordings, 2, 'one recording per agent')
    for (const recording of recordings) {
      assert.isTrue(recording.encrypted)
      assert.isAbove(recording.durationMs, 1500)
      assert.isAbove(await rmsOf(recording), 0.05)
    }

    // The first agent wrapped up and is free again; the transfer did not leave them "on call".
    const first = await waitFor(
      () => AgentState.findOrFail(fixture.salesAgent.id),
      (s) => s.state === 'available',
      5_000
    )
    assert.equal(first.state, 'available')
  })

  test('an agent puts the caller on hold and blind-transfers them to an outside number', async ({
    assert,
  }) => {
    await available(fixture.salesAgent.id, fixture.fluent.id)
    // The beginner's phone doubles as the carrier in this test (see the trunk above).
    await AgentState.updateOrCreate({ userId: fixture.beginner.id }, { state: 'offline' })
    const salesPhone = startPhone(fixture.ports[fixture.salesAgent.id])
    const carrier = startPhone(fixture.ports[fixture.beginner.id])
    const started = Date.now()
    const caller = placeCall({
      sipPort: asterisk.sipPort,
      did: DID,
      caller: '13700137004',
      dtmf: '1',
      holdMs: 18_000,
      timeoutMs: 40_000,
    })
    const bridged = await waitFor(
      () => callOf('13700137004', started),
      (c) => c?.state === 'bridged',
      15_000
    )
    assert.exists(bridged)
    const command = async (kind: string, payload: Record<string, unknown> = {}) => {
      const [row] = await db
        .table('call_commands')
        .insert({
          call_uuid: bridged!.uuid,
          kind,
          payload: JSON.stringify(payload),
          requested_by: fixture.salesAgent.id,
          status: 'pending',
          created_at: now(),
        })
        .returning('id')
      const id = Number(typeof row === 'object' ? row.id : row)
      return waitFor(
        () => db.from('call_commands').where('id', id).first(),
        (c) => c !== undefined && !['pending', 'running'].includes(c.status),
        5_000
      )
    }

    assert.equal((await command('hold')).result, 'held')
    const bridges = await ari.client.listBridges()
    const bridge = bridges.find((b) => b.name === `call-${bridged!.uuid}`)
    assert.exists(bridge)
    assert.lengthOf(bridge!.channels, 1, 'the caller left the conversation for the music')
    await new Promise((resolve) => setTimeout(resolve, 2000))
    assert.equal((await command('unhold')).result, 'resumed')
    const back = (await ari.client.listBridges()).find((b) => b.id === bridge!.id)
    assert.lengthOf(back!.channels, 2, 'the caller is back with the agent')

    const refused = await command('transfer', { type: 'external', number: '1; Dial(evil)' })
    assert.equal(refused.status, 'failed')
    assert.equal(refused.result, 'invalid_number')

    const done = await command('transfer', { type: 'external', number: '02150001234' })
    assert.equal(done.status, 'done', done.result)

    const result = await caller
    assert.equal(result.successfulCalls, 1, result.output)
    salesPhone.kill()
    carrier.kill()
    const call = await waitFor(
      () => Call.findByOrFail('uuid', bridged!.uuid),
      (c) => c.state === 'ended',
      10_000
    )
    assert.isTrue(call.transferred)
    assert.isAtLeast(call.holdSeconds, 1, 'hold time is kept for handle-time reports')
    const { types } = await typesOf(call.id)
    for (const expected of ['hold', 'unhold', 'transferred', 'external_answered', 'ended'])
      assert.include(types, expected)
    const legs = await db.from('call_legs').where('call_id', call.id).orderBy('id')
    const external = legs.find((leg) => leg.kind === 'external')
    assert.exists(external)
    assert.equal(external.endpoint, `PJSIP/02150001234@t-${fixture.beginner.id}`)
    assert.isNotNull(external.answered_at, 'the outside number answered')
  })
})
