import { spawnSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { recordingVault } from '#services/recording_vault'
import { stat } from 'node:fs/promises'
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Call from '#models/call'
import CallEvent from '#models/call_event'
import Recording from '#models/recording'
import AgentState from '#models/agent_state'
import { createAri, type Ari } from '#telephony/ari/index'
import StasisApp from '#telephony/stasis/stasis_app'
import { placeCall, startTestAsterisk, type TestAsterisk } from '#tests/helpers/asterisk'
import { DID, seed, startPhone, stopPhones, waitFor } from '#tests/helpers/call_fixture'

/*
| A caller on SIPp goes through the real route → IVR → queue → agent path on the test Asterisk:
| the agents are SIPp phones that answer and echo audio, pushed to Asterisk over ARI.
*/

test.group('Calls | route → IVR → queue → agent (real Asterisk, SIPp)', (group) => {
  let asterisk: TestAsterisk
  let ari: Ari
  let app: StasisApp
  let fixture: Awaited<ReturnType<typeof seed>>

  group.setup(async () => {
    asterisk = await startTestAsterisk()
    ari = createAri({
      url: asterisk.ariUrl,
      username: asterisk.username,
      password: asterisk.password,
      app: asterisk.app,
    })
    app = new StasisApp(ari, {
      recordingDir: asterisk.recordingDir,
      dispatchEveryMs: 500,
      logger: {
        info: (m) => console.log('INFO', m),
        warning: (m) => console.log('WARN', m),
        error: (m) => console.log('ERR', m),
      },
    })
    if (process.env.DEBUG_ARI)
      ari.events.onAnyEvent((e: any) =>
        console.log(
          'EV',
          e.type,
          e.channel?.id ?? e.playback?.id ?? '',
          e.digit ?? '',
          e.cause_txt ?? ''
        )
      )
    fixture = await seed()
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
    // Devices are pushed on connect; wait until Asterisk knows them.
    await waitFor(
      () =>
        ari.client.request('GET', `/endpoints/PJSIP/t-${fixture.fluent.id}`).then(
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

  test('a caller presses 2 then 1, reaches Support and the higher-skilled agent; the call is recorded', async ({
    assert,
  }) => {
    const phone = startPhone(fixture.ports[fixture.fluent.id])
    const other = startPhone(fixture.ports[fixture.beginner.id])
    const started = Date.now()
    const result = await placeCall({
      sipPort: asterisk.sipPort,
      did: DID,
      caller: '13800138000',
      dtmf: '2',
      dtmf2: '1',
      holdMs: 7000,
      timeoutMs: 60_000,
    })
    assert.equal(result.successfulCalls, 1, result.output)
    phone.kill()
    other.kill()

    const call = await waitFor(
      () =>
        Call.query()
          .where('caller_number', '13800138000')
          .where(
            'created_at',
            '>=',
            DateTime.fromMillis(started - 1000)
              .toUTC()
              .toFormat(db.connection().dialect.dateTimeFormat)
          )
          .orderBy('id', 'desc')
          .first(),
      (c) => c?.state === 'ended' && c.hasRecording,
      10_000
    )
    assert.exists(call)
    assert.equal(call!.queueId, fixture.support)
    assert.equal(call!.agentId, fixture.fluent.id, 'skills routing picks the higher level')
    assert.isFalse(call!.abandoned)
    assert.isNotNull(call!.answeredAt)

    const events = await CallEvent.query().where('call_id', call!.id).orderBy('at').orderBy('id')
    const types = events.map((e) => e.type)
    for (const expected of [
      'route_selected',
      'ivr_node',
      'ivr_digits',
      'queue_entered',
      'offered',
      'answered',
      'recording_started',
      'recording_finished',
      'ended',
    ]) {
      assert.include(types, expected)
    }
    const digits = events.filter((e) => e.type === 'ivr_digits').map((e) => e.data?.digits)
    assert.deepEqual(digits, ['2', '1'])
    assert.isBelow(types.indexOf('queue_entered'), types.indexOf('answered'))

    const recording = await Recording.findByOrFail('call_id', call!.id)
    // Encrypted at rest: the plaintext is gone from Asterisk's directory; decrypt to listen.
    assert.isTrue(recording.encrypted)
    const { readdir } = await import('node:fs/promises')
    const left = (await readdir(asterisk.recordingDir)).filter((f) => f.includes(call!.uuid))
    assert.deepEqual(left, [], 'no plaintext left in Asterisk’s directory')
    const plain = join(tmpdir(), `rd-${recording.id}.wav`)
    await recordingVault().decryptTo(recording, plain)
    const file = await stat(plain)
    assert.isAbove(file.size, 16_000 * 3, 'at least 3 s of 8 kHz 16-bit audio')
    // Not silence: sox's RMS amplitude of the file (the caller's tone, the echoing phone).
    const sox = spawnSync('sox', [plain, '-n', 'stat'], {
      encoding: 'utf8',
    })
    const rms = Number(sox.stderr.match(/RMS\s+amplitude:\s+([\d.]+)/)?.[1] ?? 0)
    assert.isAbove(rms, 0.05, 'the recording holds audio, not silence')
    const talkMs = call!.endedAt!.diff(call!.answeredAt!).as('milliseconds')
    assert.closeTo(
      recording.durationMs,
      talkMs,
      2500,
      'the recording lasts as long as the conversation'
    )

    const state = await waitFor(
      () => AgentState.findOrFail(fixture.fluent.id),
      (s) => s.state === 'available',
      5_000
    )
    assert.equal(state.state, 'available', 'back to available after wrap-up')
    const beginnerState = await AgentState.findOrFail(fixture.beginner.id)
    assert.equal(beginnerState.state, 'available', 'the other agent was never offered the call')
  })

  test('an agent who does not answer is marked missed and the call goes to the next agent', async ({
    assert,
  }) => {
    await AgentState.updateOrCreate(
      { userId: fixture.fluent.id },
      { state: 'available', since: DateTime.utc().minus({ minutes: 10 }) }
    )
    await AgentState.updateOrCreate(
      { userId: fixture.beginner.id },
      { state: 'available', since: DateTime.utc() }
    )
    // Only the less skilled agent's phone is up: the preferred one rings out.
    const phone = startPhone(fixture.ports[fixture.beginner.id])
    const started = Date.now()
    const result = await placeCall({
      sipPort: asterisk.sipPort,
      did: DID,
      caller: '13900139000',
      dtmf: '2',
      dtmf2: '1',
      holdMs: 9000,
      timeoutMs: 60_000,
    })
    phone.kill()
    assert.equal(result.successfulCalls, 1, result.output)

    const call = await waitFor(
      () =>
        Call.query()
          .where('caller_number', '13900139000')
          .where(
            'created_at',
            '>=',
            DateTime.fromMillis(started - 1000)
              .toUTC()
              .toFormat(db.connection().dialect.dateTimeFormat)
          )
          .orderBy('id', 'desc')
          .first(),
      (c) => c?.state === 'ended',
      10_000
    )
    assert.equal(call!.agentId, fixture.beginner.id)
    const events = await CallEvent.query().where('call_id', call!.id).orderBy('at').orderBy('id')
    const offers = events.filter((e) => e.type === 'offered').map((e) => e.data?.agentId)
    assert.deepEqual(offers, [fixture.fluent.id, fixture.beginner.id])
    assert.include(
      events.map((e) => e.type),
      'ring_no_answer'
    )
    const missed = await AgentState.findOrFail(fixture.fluent.id)
    assert.equal(missed.state, 'missed')
  })

  test('an agent on break is never offered a call', async ({ assert }) => {
    await AgentState.updateOrCreate(
      { userId: fixture.salesAgent.id },
      { state: 'break', reason: 'lunch', since: DateTime.utc() }
    )
    const started = Date.now()
    // Press 1 (Sales), then hang up after 4 s of waiting.
    const result = await placeCall({
      sipPort: asterisk.sipPort,
      did: DID,
      caller: '13700137000',
      dtmf: '1',
      holdMs: 4000,
      timeoutMs: 30_000,
    })
    assert.equal(result.successfulCalls, 1, result.output)
    const call = await waitFor(
      () =>
        Call.query()
          .where('caller_number', '13700137000')
          .where(
            'created_at',
            '>=',
            DateTime.fromMillis(started - 1000)
              .toUTC()
              .toFormat(db.connection().dialect.dateTimeFormat)
          )
          .orderBy('id', 'desc')
          .first(),
      (c) => c?.state === 'ended',
      10_000
    )
    assert.isTrue(call!.abandoned)
    assert.equal(call!.queueId, fixture.sales)
    const events = await CallEvent.query().where('call_id', call!.id)
    assert.notInclude(
      events.map((e) => e.type),
      'offered'
    )
    const abandoned = events.find((e) => e.type === 'abandoned')
    assert.isAbove(Number(abandoned?.data?.waitSeconds ?? -1), 0)
    assert.equal((await AgentState.findOrFail(fixture.salesAgent.id)).state, 'break')
  })
})
