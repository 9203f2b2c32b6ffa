import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { sqlTime } from '#services/db_time'
import AgentDevice from '#models/agent_device'
import Call, { type CallState } from '#models/call'
import CallCommand from '#models/call_command'
import CallEvent from '#models/call_event'
import Queue from '#models/queue'
import type User from '#models/user'
import RequestCallCommand from '#actions/calls/request_call_command'
import { makeTeam, makeUser, setMfaRequired } from '#tests/helpers/accounts'
import { api, auditEntries, fieldErrors, signedIn } from './telephony_config/support.js'

async function makeQueue(name: string) {
  return Queue.create({
    name: `${name} ${randomUUID()}`,
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
    recordingRetentionDays: 30,
    serviceLevelSeconds: 20,
  })
}

let phones = 0
async function givePhone(user: User) {
  phones++
  const device = new AgentDevice()
  device.fill({
    userId: user.id,
    endpoint: `cc${phones}${Date.now() % 100000}`,
    transport: 'udp',
    lastRegisteredAt: null,
    lastContact: null,
    lastUserAgent: null,
    lastIp: null,
    staticContact: null,
  })
  device.setSipPassword('phone-secret-1234')
  await device.save()
  return device
}

/** A call as the telephony worker keeps it while it lives (state bridged: in a conversation). */
async function liveCall(agent: User | null, state: CallState = 'bridged', queue?: Queue) {
  const startedAt = DateTime.utc().minus({ minutes: 2 })
  return Call.create({
    uuid: randomUUID(),
    direction: 'inbound',
    did: '4008001000',
    callerNumber: '13800138000',
    callerName: null,
    customerId: null,
    startedAt,
    answeredAt: state === 'bridged' ? startedAt.plus({ seconds: 20 }) : null,
    endedAt: state === 'ended' ? startedAt.plus({ minutes: 1 }) : null,
    endCause: null,
    routeId: null,
    ivrFlowId: null,
    ivrFlowVersion: null,
    queueId: queue?.id ?? null,
    agentId: agent?.id ?? null,
    waitSeconds: 20,
    talkSeconds: 0,
    holdSeconds: 0,
    wrapUpSeconds: 0,
    transferred: false,
    abandoned: false,
    hasRecording: false,
    state,
  })
}

/**
 * Plays the telephony worker: waits for the call's pending command and settles it as the worker
 * does (conditionally on it still being pending).
 */
async function answerAsWorker(call: Call, status: 'done' | 'failed', result: string) {
  for (let i = 0; i < 300; i++) {
    const row = await db
      .from('call_commands')
      .where('call_uuid', call.uuid)
      .where('status', 'pending')
      .first()
    if (row) {
      await db
        .from('call_commands')
        .where('id', row.id)
        .where('status', 'pending')
        .update({ status, result, handled_at: sqlTime(DateTime.utc()) })
      return
    }
    await sleep(10)
  }
  throw new Error('no command reached the worker')
}

function commandsOf(call: Call) {
  return CallCommand.query().where('call_uuid', call.uuid).orderBy('id')
}

const commandsPath = (call: Call) => `/calls/${call.uuid}/commands`

test.group('In-call control from the web | hold and blind transfer', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.setup(() =>
    setMfaRequired({ admin: false, supervisor: false, team_lead: false, agent: false })
  )
  // The worker is played by the tests; nobody needs to wait the real six seconds.
  group.each.setup(() => {
    app.container.swap(
      RequestCallCommand,
      () => new RequestCallCommand({ waitMs: 2_000, pollMs: 20 })
    )
    return () => app.container.restore(RequestCallCommand)
  })

  test('the agent on the call transfers it to a queue: a pending command, audited, and the worker answers', async ({
    assert,
  }) => {
    const { user, agent } = await signedIn('agent')
    const call = await liveCall(user)
    const support = await makeQueue('Support')

    const [res] = await Promise.all([
      api(agent, 'POST', commandsPath(call), {
        kind: 'transfer',
        type: 'queue',
        queueId: support.id,
      }),
      answerAsWorker(call, 'done', 'transferred'),
    ])
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(res.json, { status: 'done', result: 'transferred', message: 'Transferred' })

    const [command] = await commandsOf(call)
    assert.equal(command.kind, 'transfer')
    assert.deepEqual(command.payload, { type: 'queue', queueId: support.id })
    assert.equal(command.requestedBy, user.id)
    assert.equal(command.status, 'done')

    const [entry] = await auditEntries('call.transfer_requested', call.uuid)
    assert.equal(entry.actorId, user.id)
    assert.equal(entry.targetType, 'call')
    assert.deepEqual(JSON.parse(entry.after!), {
      agentId: user.id,
      commandId: command.id,
      kind: 'transfer',
      to: { type: 'queue', queueId: support.id },
    })
  })

  test("the worker's refusal comes back translated with 409; an unknown result reads as failed", async ({
    assert,
  }) => {
    const { user, agent } = await signedIn('agent', { locale: 'zh-CN' })
    const call = await liveCall(user)
    const [refused] = await Promise.all([
      api(agent, 'POST', commandsPath(call), { kind: 'unhold' }),
      answerAsWorker(call, 'done', 'not_on_hold'),
    ])
    assert.equal(refused.status, 200, refused.text)
    assert.equal(refused.json.message, '来电者未处于保持状态')

    const [gone] = await Promise.all([
      api(agent, 'POST', commandsPath(call), { kind: 'hold' }),
      answerAsWorker(call, 'failed', 'call_not_live'),
    ])
    assert.equal(gone.status, 409)
    assert.deepEqual(gone.json, {
      status: 'failed',
      result: 'call_not_live',
      message: '通话已结束',
    })

    const [odd] = await Promise.all([
      api(agent, 'POST', commandsPath(call), { kind: 'hold' }),
      answerAsWorker(call, 'failed', 'Channel not found'),
    ])
    assert.equal(odd.status, 409)
    assert.equal(odd.json.result, 'Channel not found')
    assert.equal(odd.json.message, '电话系统未能完成该操作')
  })

  test('the phone system does not answer in time: the command is withdrawn (failed, timeout) and cannot run late', async ({
    assert,
  }) => {
    app.container.swap(
      RequestCallCommand,
      () => new RequestCallCommand({ waitMs: 150, pollMs: 20 })
    )
    const { user, agent } = await signedIn('agent')
    const call = await liveCall(user)

    const started = Date.now()
    const res = await api(agent, 'POST', commandsPath(call), { kind: 'hold' })
    assert.isBelow(Date.now() - started, 1_500)
    assert.equal(res.status, 504)
    assert.equal(res.json.status, 'failed')
    assert.equal(res.json.result, 'timeout')
    assert.match(res.json.message, /did not answer in time/)

    const [command] = await commandsOf(call)
    assert.equal(command.status, 'failed')
    assert.equal(command.result, 'timeout')
    assert.isNotNull(command.handledAt)
    // Only pending commands reach the worker: this one never will.
    assert.isNull(
      await db.from('call_commands').where('status', 'pending').where('id', command.id).first()
    )
    assert.lengthOf(await auditEntries('call.hold_requested', call.uuid), 1)
  })

  test('another agent may not control the call: 403 translated, no command, the refusal audited', async ({
    assert,
  }) => {
    const onCall = await makeUser('agent')
    const call = await liveCall(onCall)
    const { user: other, agent } = await signedIn('agent', { locale: 'zh-CN' })

    const res = await api(agent, 'POST', commandsPath(call), { kind: 'hold' })
    assert.equal(res.status, 403)
    assert.equal(res.json.errors[0].message, '您没有权限执行此操作')
    assert.lengthOf(await commandsOf(call), 0)
    assert.lengthOf(await auditEntries('call.hold_requested', call.uuid), 0)
    const [denied] = await auditEntries('call.control_denied', call.uuid)
    assert.equal(denied.actorId, other.id)
    assert.deepEqual(JSON.parse(denied.after!), { agentId: onCall.id, kind: 'hold' })
  })

  test("a team lead controls their own team's agents' calls, not another team's", async ({
    assert,
  }) => {
    const mine = await makeTeam()
    const theirs = await makeTeam()
    const { agent } = await signedIn('team_lead', { teamId: mine.id })
    const ownAgent = await makeUser('agent', { teamId: mine.id })
    const otherAgent = await makeUser('agent', { teamId: theirs.id })
    const otherCall = await liveCall(otherAgent)
    const ownCall = await liveCall(ownAgent)

    const refused = await api(agent, 'POST', commandsPath(otherCall), { kind: 'hold' })
    assert.equal(refused.status, 403)
    assert.equal(refused.json.errors[0].message, 'You do not have permission to do this')
    assert.lengthOf(await commandsOf(otherCall), 0)

    const [held] = await Promise.all([
      api(agent, 'POST', commandsPath(ownCall), { kind: 'hold' }),
      answerAsWorker(ownCall, 'done', 'held'),
    ])
    assert.equal(held.status, 200, held.text)
    assert.equal(held.json.result, 'held')
    assert.lengthOf(await commandsOf(ownCall), 1)
  })

  test('a supervisor puts any live call on hold: a hold command without payload, audited', async ({
    assert,
  }) => {
    const { user: supervisor, agent } = await signedIn('supervisor')
    const onCall = await makeUser('agent', { teamId: (await makeTeam()).id })
    const call = await liveCall(onCall)

    const [res] = await Promise.all([
      api(agent, 'POST', commandsPath(call), { kind: 'hold' }),
      answerAsWorker(call, 'done', 'held'),
    ])
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(res.json, {
      status: 'done',
      result: 'held',
      message: 'The caller is on hold and hears music',
    })
    const [command] = await commandsOf(call)
    assert.equal(command.kind, 'hold')
    assert.deepEqual(command.payload, {})
    assert.equal(command.requestedBy, supervisor.id)
    const [entry] = await auditEntries('call.hold_requested', call.uuid)
    assert.equal(entry.actorId, supervisor.id)
    assert.deepEqual(JSON.parse(entry.after!), {
      agentId: onCall.id,
      commandId: command.id,
      kind: 'hold',
    })
  })

  test('an outside number is checked before anything is written; separators are dropped', async ({
    assert,
  }) => {
    const { user, agent } = await signedIn('agent', { locale: 'zh-CN' })
    const call = await liveCall(user)

    for (const number of ['1; Dial(evil)', '1', '+86 138 0013 8000 1234 5678 9', 'abc']) {
      const res = await api(agent, 'POST', commandsPath(call), {
        kind: 'transfer',
        type: 'external',
        number,
      })
      assert.equal(res.status, 422, number)
      assert.deepEqual(fieldErrors(res.json), {
        number: ['外线号码：请输入 2 到 20 位数字，可以 + 开头'],
      })
    }
    const missing = await api(agent, 'POST', commandsPath(call), {
      kind: 'transfer',
      type: 'external',
    })
    assert.equal(missing.status, 422)
    assert.deepEqual(Object.keys(fieldErrors(missing.json)), ['number'])
    const noType = await api(agent, 'POST', commandsPath(call), { kind: 'transfer' })
    assert.deepEqual(Object.keys(fieldErrors(noType.json)), ['type'])
    const noKind = await api(agent, 'POST', commandsPath(call), { kind: 'hangup' })
    assert.deepEqual(Object.keys(fieldErrors(noKind.json)), ['kind'])
    assert.lengthOf(await commandsOf(call), 0)
    assert.lengthOf(await auditEntries('call.transfer_requested', call.uuid), 0)

    const [res] = await Promise.all([
      api(agent, 'POST', commandsPath(call), {
        kind: 'transfer',
        type: 'external',
        number: '021-5000 1234',
      }),
      answerAsWorker(call, 'done', 'transferred'),
    ])
    assert.equal(res.status, 200, res.text)
    const [command] = await commandsOf(call)
    assert.deepEqual(command.payload, { type: 'external', number: '02150001234' })
  })

  test('a transfer to an agent needs an agent with a phone, and not the one already on the call', async ({
    assert,
  }) => {
    const { user, agent } = await signedIn('agent')
    await givePhone(user)
    const call = await liveCall(user)
    const phoneless = await makeUser('agent')
    const colleague = await makeUser('agent')
    await givePhone(colleague)

    const noPhone = await api(agent, 'POST', commandsPath(call), {
      kind: 'transfer',
      type: 'agent',
      agentId: phoneless.id,
    })
    assert.equal(noPhone.status, 422)
    assert.deepEqual(fieldErrors(noPhone.json), {
      agentId: ['This agent has no phone, so the call cannot be transferred to them'],
    })
    const nobody = await api(agent, 'POST', commandsPath(call), {
      kind: 'transfer',
      type: 'agent',
      agentId: 999_999,
    })
    assert.deepEqual(fieldErrors(nobody.json), { agentId: ['The selected Agent does not exist'] })
    const noQueue = await api(agent, 'POST', commandsPath(call), {
      kind: 'transfer',
      type: 'queue',
      queueId: 999_999,
    })
    assert.deepEqual(fieldErrors(noQueue.json), { queueId: ['The selected Queue does not exist'] })
    const self = await api(agent, 'POST', commandsPath(call), {
      kind: 'transfer',
      type: 'agent',
      agentId: user.id,
    })
    assert.equal(self.status, 422)
    assert.deepEqual(fieldErrors(self.json), { agentId: ['The call is already with this agent'] })
    assert.lengthOf(await commandsOf(call), 0)

    const [res] = await Promise.all([
      api(agent, 'POST', commandsPath(call), {
        kind: 'transfer',
        type: 'agent',
        agentId: colleague.id,
      }),
      answerAsWorker(call, 'done', 'transferred'),
    ])
    assert.equal(res.status, 200, res.text)
    const [command] = await commandsOf(call)
    assert.deepEqual(command.payload, { type: 'agent', agentId: colleague.id })
  })

  test('a call not in a conversation is refused with 409, nothing written; an unknown call is 404', async ({
    assert,
  }) => {
    const { user, agent } = await signedIn('agent', { locale: 'zh-CN' })
    for (const state of ['ringing', 'queue', 'ended'] as const) {
      const call = await liveCall(user, state)
      const res = await api(agent, 'POST', commandsPath(call), { kind: 'hold' })
      assert.equal(res.status, 409, state)
      assert.equal(res.json.errors[0].message, '该通话当前不在通话中，无法保持或转接')
      assert.lengthOf(await commandsOf(call), 0)
      assert.lengthOf(await auditEntries('call.hold_requested', call.uuid), 0)
    }
    const unknown = await api(agent, 'POST', `/calls/${randomUUID()}/commands`, { kind: 'hold' })
    assert.equal(unknown.status, 404)
  })

  test("an agent's own live call, with what the transfer dialog offers; nothing when not talking", async ({
    assert,
  }) => {
    const { user, agent } = await signedIn('agent')
    await givePhone(user)
    const queue = await makeQueue('Sales')
    const colleague = await makeUser('agent')
    await givePhone(colleague)
    const disabled = await makeUser('agent', { isDisabled: true })
    await givePhone(disabled)

    const none = await agent.get('/calls/live/mine', 'application/json')
    assert.equal(none.status, 200)
    assert.deepEqual(none.json, { call: null, options: null })

    await liveCall(user, 'ended')
    const call = await liveCall(user, 'bridged', queue)
    await CallEvent.createMany([
      { callId: call.id, at: Date.now() - 5000, type: 'hold', data: { by: 'web' } },
      { callId: call.id, at: Date.now() - 3000, type: 'unhold', data: { by: 'web' } },
      { callId: call.id, at: Date.now() - 1000, type: 'hold', data: { by: 'web' } },
    ])
    const res = await agent.get('/calls/live/mine', 'application/json')
    assert.equal(res.status, 200, res.text)
    const { since, ...live } = res.json.call
    // SQLite keeps whole seconds, PostgreSQL milliseconds.
    assert.closeTo(new Date(since).getTime(), call.answeredAt!.toMillis(), 1000)
    assert.deepEqual(live, {
      id: call.uuid,
      callerNumber: '13800138000',
      callerName: null,
      queue: { id: queue.id, name: queue.name },
      agentId: user.id,
      onHold: true,
    })
    const agentIds = res.json.options.agents.map((a: any) => a.id)
    assert.include(agentIds, colleague.id)
    assert.notInclude(agentIds, user.id, 'not the agent already on the call')
    assert.notInclude(agentIds, disabled.id)
    assert.deepInclude(res.json.options.queues, { id: queue.id, name: queue.name })
    assert.isBoolean(res.json.options.canDialOut)

    // Someone else's call is not theirs to see here.
    const { agent: other } = await signedIn('agent')
    assert.deepEqual((await other.get('/calls/live/mine', 'application/json')).json, {
      call: null,
      options: null,
    })
  })

  test('the call page offers the controls only on a live call the user may control', async ({
    assert,
  }) => {
    const { agent } = await signedIn('supervisor')
    const onCall = await makeUser('agent')
    const live = await liveCall(onCall)
    const ended = await liveCall(onCall, 'ended')

    const page = await agent.get(`/calls/${live.uuid}`, 'application/json')
    assert.equal(page.status, 200, page.text)
    assert.isTrue(page.json.canControl)
    assert.isFalse(page.json.control.onHold)
    assert.isArray(page.json.control.options.queues)
    const over = await agent.get(`/calls/${ended.uuid}`, 'application/json')
    assert.isFalse(over.json.canControl)
    assert.isNull(over.json.control)

    const team = await makeTeam()
    const { agent: lead } = await signedIn('team_lead', { teamId: team.id })
    const teamCall = await liveCall(await makeUser('agent', { teamId: team.id }))
    assert.isTrue((await lead.get(`/calls/${teamCall.uuid}`, 'application/json')).json.canControl)
  })
})
