import { readFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { recordingVault } from '#services/recording_vault'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import AgentState from '#models/agent_state'
import Call from '#models/call'
import Recording from '#models/recording'
import { createAri, type Ari } from '#telephony/ari/index'
import StasisApp from '#telephony/stasis/stasis_app'
import { placeCall, startTestAsterisk, type TestAsterisk } from '#tests/helpers/asterisk'
import { seed, startPhone, stopPhones, waitFor } from '#tests/helpers/call_fixture'

// A number of its own: other call tests seed routes for the demo DID.
const DID = '4008002000'

/*
| Restarts in the middle of calls: the telephony worker going away while a call is bridged, and
| Asterisk itself restarting. Nothing may be lost: calls continue or end with the right cause,
| recordings finish, agent states are right afterwards.
*/

function connect(asterisk: TestAsterisk) {
  const ari = createAri({
    url: asterisk.ariUrl,
    username: asterisk.username,
    password: asterisk.password,
    app: asterisk.app,
  })
  const app = new StasisApp(ari, { recordingDir: asterisk.recordingDir, dispatchEveryMs: 500 })
  app.start()
  ari.events.start()
  return { ari, app }
}

async function ready(ari: Ari, app: string) {
  await ari.events.waitForConnected(15_000)
  await waitFor(
    () =>
      ari.client.getApplication(app).then(
        () => true,
        () => false
      ),
    Boolean,
    5_000
  )
}

function since(started: number) {
  return DateTime.fromMillis(started - 1000)
    .toUTC()
    .toFormat(db.connection().dialect.dateTimeFormat)
}

test.group('Calls | restarts mid-call', (group) => {
  let asterisk: TestAsterisk
  let fixture: Awaited<ReturnType<typeof seed>>

  group.setup(async () => {
    asterisk = await startTestAsterisk()
    fixture = await seed(DID)
    return async () => {
      await stopPhones()
      await asterisk.stop()
    }
  })

  test('the worker restarting while a call is bridged: the call continues, its record and recording complete', async ({
    assert,
    cleanup,
  }) => {
    let worker = connect(asterisk)
    cleanup(async () => {
      worker.app.stop()
      await worker.ari.events.stop()
    })
    await ready(worker.ari, asterisk.app)
    await waitFor(
      () =>
        worker.ari.client.request('GET', `/endpoints/PJSIP/t-${fixture.salesAgent.id}`).then(
          () => true,
          () => false
        ),
      Boolean,
      5_000
    )
    await AgentState.updateOrCreate(
      { userId: fixture.salesAgent.id },
      { state: 'available', since: DateTime.utc() }
    )
    const phone = startPhone(fixture.ports[fixture.salesAgent.id])
    const started = Date.now()
    const calling = placeCall({
      sipPort: asterisk.sipPort,
      did: DID,
      caller: '13600136000',
      dtmf: '1',
      holdMs: 12_000,
      timeoutMs: 60_000,
    })
    const findCall = () =>
      Call.query()
        .where('caller_number', '13600136000')
        .where('created_at', '>=', since(started))
        .first()
    const bridged = await waitFor(findCall, (c) => c?.state === 'bridged', 20_000)
    assert.equal(bridged?.state, 'bridged')

    // The worker goes away mid-conversation, and a new one takes over.
    worker.app.stop()
    await worker.ari.events.stop()
    await sleep(1000)
    worker = connect(asterisk)
    await ready(worker.ari, asterisk.app)

    const result = await calling
    phone.kill()
    assert.equal(result.successfulCalls, 1, 'the caller never noticed')
    const ended = await waitFor(findCall, (c) => c?.state === 'ended' && c.hasRecording, 10_000)
    assert.equal(ended?.state, 'ended')
    assert.match(ended!.endCause ?? '', /^customer:/)
    assert.isAbove(ended!.talkSeconds, 8)
    const recording = await Recording.findByOrFail('call_id', ended!.id)
    const plain = join(tmpdir(), `rd-${recording.id}.wav`)
    await recordingVault().decryptTo(recording, plain)
    const file = await stat(plain)
    assert.isAbove(file.size, 16_000 * 8, 'the recording covers the whole conversation')
    const state = await waitFor(
      () => AgentState.findOrFail(fixture.salesAgent.id),
      (s) => s.state === 'available',
      5_000
    )
    assert.equal(state.state, 'available')
  })

  test('Asterisk crashing mid-call: the worker reconnects and marks the call ended with the right cause', async ({
    assert,
    cleanup,
  }) => {
    const worker = connect(asterisk)
    cleanup(async () => {
      worker.app.stop()
      await worker.ari.events.stop()
    })
    await ready(worker.ari, asterisk.app)
    await AgentState.updateOrCreate(
      { userId: fixture.salesAgent.id },
      { state: 'available', since: DateTime.utc() }
    )
    const phone = startPhone(fixture.ports[fixture.salesAgent.id])
    const started = Date.now()
    const calling = placeCall({
      sipPort: asterisk.sipPort,
      did: DID,
      caller: '13500135000',
      dtmf: '1',
      holdMs: 20_000,
      timeoutMs: 40_000,
    }).catch(() => null)
    const findCall = () =>
      Call.query()
        .where('caller_number', '13500135000')
        .where('created_at', '>=', since(started))
        .first()
    assert.equal((await waitFor(findCall, (c) => c?.state === 'bridged', 20_000))?.state, 'bridged')

    // A crash, not a clean stop: Asterisk sends no hangup events, the worker just loses it.
    const root = process.env.RINGDESK_ASTERISK_ROOT ?? '/var/cache/ringdesk/asterisk-root'
    const pid = Number(
      await readFile(`${root}/run/asterisk-${asterisk.instance}/asterisk.pid`, 'utf8')
    )
    process.kill(pid, 'SIGKILL')
    await waitFor(async () => worker.ari.events.state !== 'connected', Boolean, 10_000)
    asterisk = await startTestAsterisk()
    await waitFor(async () => worker.ari.events.state === 'connected', Boolean, 20_000)

    const ended = await waitFor(findCall, (c) => c?.state === 'ended', 15_000)
    assert.equal(ended?.state, 'ended')
    assert.equal(ended?.endCause, 'ended_during_restart')
    // The agent is freed just after the call's record is ended (the same reconcile step).
    const state = await waitFor(
      () => AgentState.findOrFail(fixture.salesAgent.id),
      (s) => s.state === 'available',
      5_000
    )
    assert.equal(state.state, 'available', 'the agent is not left "on call"')
    phone.kill()
    await calling
  })
})
