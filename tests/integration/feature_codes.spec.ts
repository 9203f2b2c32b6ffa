import { join } from 'node:path'
import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import AgentDevice from '#models/agent_device'
import AgentState from '#models/agent_state'
import AgentStateEvent from '#models/agent_state_event'
import AuditLog from '#models/audit_log'
import BreakReason from '#models/break_reason'
import type User from '#models/user'
import { createAri, type Ari } from '#telephony/ari/index'
import StasisApp from '#telephony/stasis/stasis_app'
import {
  runSipp,
  SIPP_SCENARIOS,
  startTestAsterisk,
  type TestAsterisk,
} from '#tests/helpers/asterisk'
import { makeUser } from '#tests/helpers/accounts'
import { waitFor } from '#tests/helpers/call_fixture'

/*
| An agent's phone (SIPp, authenticating as the agent's PJSIP endpoint) dials feature codes on the
| test Asterisk; the Stasis app identifies the agent by the endpoint and changes their status.
| Ports: this slot's block above the call fixture's phones (16100 + 100 per slot).
*/
const SLOT = Number(process.env.TEST_SLOT ?? 0)
const SIP_PORT = 15850 + SLOT * 100
const MEDIA_PORT = 15870 + SLOT * 100

test.group('Calls | feature codes on an agent phone (real Asterisk, SIPp)', (group) => {
  let asterisk: TestAsterisk
  let ari: Ari
  let app: StasisApp
  let agent: User
  let device: AgentDevice
  let password: string
  let reason: BreakReason

  async function dial(code: string) {
    return runSipp(
      [
        `127.0.0.1:${asterisk.sipPort}`,
        '-sf',
        join(SIPP_SCENARIOS, 'uac_agent_dial.xml'),
        '-s',
        code,
        '-i',
        '127.0.0.1',
        '-p',
        String(SIP_PORT),
        '-mi',
        '127.0.0.1',
        '-mp',
        String(MEDIA_PORT),
        '-m',
        '1',
        '-au',
        device.endpoint,
        '-ap',
        password,
        '-set',
        'user',
        device.endpoint,
      ],
      { timeoutMs: 30_000 }
    )
  }

  const current = () => AgentState.find(agent.id)

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
    agent = await makeUser('agent', { fullName: 'Feature 功能码' })
    device = new AgentDevice()
    device.fill({ userId: agent.id, endpoint: `fc-${agent.id}`, transport: 'udp' })
    password = `pw-${agent.id}-${Date.now()}`
    device.setSipPassword(password)
    await device.save()
    reason = await BreakReason.create({
      code: `training_${Date.now() % 100000}`,
      dialCode: String(700 + (agent.id % 100)),
      nameEn: 'Training',
      nameZhCn: '培训',
      active: true,
    })
    app.start()
    ari.events.start()
    await ari.events.waitForConnected(10_000)
    // Devices are pushed on connect; wait until Asterisk knows this one.
    await waitFor(
      () =>
        ari.client.request('GET', `/endpoints/PJSIP/${device.endpoint}`).then(
          () => true,
          () => false
        ),
      Boolean,
      10_000
    )
    return async () => {
      app.stop()
      await ari.events.stop()
      await asterisk.stop()
    }
  })

  test('*22 and a reason code put the agent on that break; *21 makes them available', async ({
    assert,
  }) => {
    await AgentState.updateOrCreate(
      { userId: agent.id },
      { state: 'available', reason: null, since: DateTime.utc().minus({ minutes: 5 }) }
    )

    const toBreak = await dial(`*22${reason.dialCode}`)
    assert.equal(toBreak.successfulCalls, 1, toBreak.output + toBreak.errors)
    const onBreak = await waitFor(current, (s) => s?.state === 'break', 5_000)
    assert.equal(onBreak?.state, 'break')
    assert.equal(onBreak?.reason, reason.code)
    assert.equal(onBreak?.updatedBy, agent.id)

    const entry = await AuditLog.query()
      .where('action', 'agent.state_changed')
      .where('target_id', String(agent.id))
      .orderBy('id', 'desc')
      .firstOrFail()
    assert.equal(entry.actorId, agent.id)
    assert.deepEqual(JSON.parse(entry.after!), {
      state: 'break',
      reason: reason.code,
      via: 'phone',
      endpoint: device.endpoint,
    })

    const back = await dial('*21')
    assert.equal(back.successfulCalls, 1, back.output + back.errors)
    const available = await waitFor(current, (s) => s?.state === 'available', 5_000)
    assert.equal(available?.state, 'available')
    assert.isNull(available?.reason)

    const history = await AgentStateEvent.query()
      .where('user_id', agent.id)
      .orderBy('id', 'desc')
      .limit(2)
    assert.deepEqual(
      history.map((e) => [e.toState, e.reason]),
      [
        ['available', null],
        ['break', reason.code],
      ]
    )
  })

  test('an unknown reason code or a request during a call is refused with a tone; nothing changes', async ({
    assert,
  }) => {
    await AgentState.updateOrCreate(
      { userId: agent.id },
      { state: 'available', reason: null, since: DateTime.utc() }
    )
    const before = await AgentStateEvent.query().where('user_id', agent.id).count('* as n')

    const unknown = await dial('*229999')
    // The phone is answered, hears the error tone and is hung up: the call itself succeeds.
    assert.equal(unknown.successfulCalls, 1, unknown.output + unknown.errors)
    const notACode = await dial('*99')
    assert.equal(notACode.successfulCalls, 1, notACode.output + notACode.errors)
    assert.equal((await current())?.state, 'available')

    await AgentState.updateOrCreate(
      { userId: agent.id },
      { state: 'on_call', reason: null, since: DateTime.utc() }
    )
    const mid = await dial('*23')
    assert.equal(mid.successfulCalls, 1, mid.output + mid.errors)
    assert.equal((await current())?.state, 'on_call')

    const after = await AgentStateEvent.query().where('user_id', agent.id).count('* as n')
    assert.equal(Number(after[0].$extras.n), Number(before[0].$extras.n))
  })
})
