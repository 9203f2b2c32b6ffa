import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import IvrFlow from '#models/ivr_flow'
import IvrFlowVersion from '#models/ivr_flow_version'
import InboundRoute from '#models/inbound_route'
import Queue from '#models/queue'
import User from '#models/user'
import { validateFlow } from '#telephony/ivr/validate_flow'
import TelephonySeeder from '#database/seeders/telephony_seeder'
import db from '@adonisjs/lucid/services/db'
import { makeUser, setMfaRequired } from '#tests/helpers/accounts'
import { api, auditEntries, fieldErrors, signedIn } from './support.js'

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

function salesMenu(queueId: number, extra: Record<string, unknown> = {}) {
  return {
    main: {
      type: 'menu',
      prompt: { kind: 'builtin', sound: 'demo-instruct' },
      options: [
        { digit: '1', next: 'sales' },
        { digit: '9', next: 'main' },
      ],
      timeoutSeconds: 5,
      maxRetries: 2,
      onTimeout: 'sales',
      onInvalid: 'bye',
    },
    sales: { type: 'queue', queueId: String(queueId) },
    bye: { type: 'hangup' },
    ...extra,
  }
}

test.group('Calls configuration | IVR flows', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.setup(() =>
    setMfaRequired({ admin: false, supervisor: false, team_lead: false, agent: false })
  )

  test('every save of an IVR bumps its version, keeps that version and is audited', async ({
    assert,
  }) => {
    const { user: admin, agent } = await signedIn('admin')
    const queue = await makeQueue('Sales')
    const created = await api(agent, 'POST', '/telephony/ivr-flows', {
      name: 'Hotline',
      entryNode: 'main',
      nodes: salesMenu(queue.id),
    })
    assert.equal(created.status, 201, created.text)
    assert.equal(created.json.flow.version, 1)
    assert.equal(created.json.flow.nodeCount, 3)
    assert.deepEqual(created.json.warnings, [])
    const id = created.json.flow.id

    const updated = await api(agent, 'PUT', `/telephony/ivr-flows/${id}`, {
      name: 'Hotline',
      entryNode: 'main',
      expectedVersion: 1,
      nodes: salesMenu(queue.id, { orphan: { type: 'hangup' } }),
    })
    assert.equal(updated.status, 200, updated.text)
    assert.equal(updated.json.flow.version, 2)
    assert.equal(updated.json.warnings[0].code, 'unreachable_node')
    assert.equal(updated.json.warnings[0].message, 'No caller can reach step "orphan"')

    const flow = await IvrFlow.findOrFail(id)
    assert.equal(flow.version, 2)
    assert.equal(flow.updatedBy, admin.id)
    assert.property(flow.nodes, 'orphan')
    const versions = await IvrFlowVersion.query().where('ivr_flow_id', id).orderBy('version')
    assert.deepEqual(
      versions.map((v) => v.version),
      [1, 2]
    )
    assert.notProperty(versions[0].nodes, 'orphan')

    const [entry] = await auditEntries('ivr_flow.updated', id)
    assert.equal(JSON.parse(entry.before!).version, 1)
    assert.equal(JSON.parse(entry.after!).version, 2)
    assert.equal(JSON.parse(entry.after!).nodeCount, 4)
    assert.lengthOf(await auditEntries('ivr_flow.created', id), 1)

    const shown = await agent.get(`/telephony/ivr-flows/${id}`, 'application/json')
    assert.equal(shown.json.flow.nodes.main.type, 'menu')
    assert.lengthOf(shown.json.versions, 2)
    assert.equal(shown.json.issues.warnings[0].nodeId, 'orphan')
  })

  test('a flow the IVR engine rejects is not saved; each problem is a translated field error', async ({
    assert,
  }) => {
    const { agent } = await signedIn('admin', { locale: 'zh-CN' })
    const queue = await makeQueue('Sales')
    const nodes = salesMenu(queue.id)
    nodes.main.options.push({ digit: '2', next: 'nowhere' })
    const res = await api(agent, 'POST', '/telephony/ivr-flows', {
      name: 'Broken',
      entryNode: 'main',
      nodes: { ...nodes, lost: { type: 'queue', queueId: '999999' } },
    })
    assert.equal(res.status, 422)
    const errors = fieldErrors(res.json)
    assert.include(errors['nodes.main'], '步骤“main”指向的“nowhere”不存在')
    assert.include(errors['nodes.lost'], '步骤“lost”转入的队列不存在')
    assert.isNull(await IvrFlow.findBy('name', 'Broken'))

    const structure = await api(agent, 'POST', '/telephony/ivr-flows', {
      name: 'Broken',
      entryNode: 'start',
      nodes: { main: { type: 'teleport' } },
    })
    assert.equal(structure.status, 422)
    const structural = fieldErrors(structure.json)
    assert.equal(structural.entryNode[0], '起始步骤必须是该流程中的一个步骤')
    assert.equal(structural['nodes.main.type'][0], '请选择有效的步骤类型')
    assert.lengthOf(await auditEntries('ivr_flow.created'), 0)
  })

  test('a save over a newer version is refused, and the newer version stays', async ({
    assert,
  }) => {
    const { agent } = await signedIn('admin')
    const queue = await makeQueue('Sales')
    const created = await api(agent, 'POST', '/telephony/ivr-flows', {
      name: 'Shared',
      entryNode: 'main',
      nodes: salesMenu(queue.id),
    })
    const id = created.json.flow.id
    const body = { name: 'Shared', entryNode: 'main', nodes: salesMenu(queue.id) }
    assert.equal(
      (await api(agent, 'PUT', `/telephony/ivr-flows/${id}`, { ...body, expectedVersion: 1 }))
        .status,
      200
    )
    const stale = await api(agent, 'PUT', `/telephony/ivr-flows/${id}`, {
      ...body,
      entryNode: 'bye',
      expectedVersion: 1,
    })
    assert.equal(stale.status, 409)
    assert.match(stale.json.errors[0].message, /version 2/)
    const flow = await IvrFlow.findOrFail(id)
    assert.equal(flow.version, 2)
    assert.equal(flow.entryNode, 'main')
  })

  test('an IVR used by an inbound route, or a queue used by an IVR, cannot be deleted', async ({
    assert,
  }) => {
    const { agent } = await signedIn('admin')
    const queue = await makeQueue('Sales')
    const created = await api(agent, 'POST', '/telephony/ivr-flows', {
      name: 'In use',
      entryNode: 'main',
      nodes: salesMenu(queue.id),
    })
    const id = created.json.flow.id
    await InboundRoute.create({
      name: 'Main number',
      didPattern: '4008001000',
      callerPattern: null,
      priority: 100,
      targetType: 'ivr',
      targetId: id,
      calendarId: null,
      closedTargetType: null,
      closedTargetId: null,
      enabled: true,
    })
    const refused = await api(agent, 'DELETE', `/telephony/ivr-flows/${id}`)
    assert.equal(refused.status, 422)
    assert.include(refused.json.errors[0].message, 'Main number')
    assert.isNotNull(await IvrFlow.find(id))

    const queueRefused = await api(agent, 'DELETE', `/telephony/queues/${queue.id}`)
    assert.equal(queueRefused.status, 422)
    assert.include(queueRefused.json.errors[0].message, 'In use')
    assert.isNotNull(await Queue.find(queue.id))
  })

  test('the demo seeder is idempotent and its IVR passes the IVR engine', async ({ assert }) => {
    // The demo users exist already, so the seeder does not run MainSeeder here.
    for (const email of ['agent@ringdesk.local', 'agent2@ringdesk.local', 'agent3@ringdesk.local'])
      await makeUser('agent', { email })
    await new TelephonySeeder(db.connection()).run()
    await new TelephonySeeder(db.connection()).run()

    const flow = await IvrFlow.findByOrFail('name', 'Hotline 热线')
    const queues = await Queue.query().whereIn('name', ['Sales 销售', 'Support 售后'])
    assert.lengthOf(queues, 2)
    const result = validateFlow(
      { entryNodeId: flow.entryNode, nodes: flow.nodes },
      {
        knownQueueIds: queues.map((q) => String(q.id)),
        knownPromptIds: [],
        knownCalendarIds: [],
      }
    )
    assert.deepEqual(result.errors, [])
    assert.deepEqual(result.warnings, [])
    const route = await InboundRoute.findByOrFail('did_pattern', '4008001000')
    assert.equal(route.targetId, flow.id)
    assert.equal(route.closedTargetType, 'voicemail')
    const agent = await User.findByOrFail('email', 'agent@ringdesk.local')
    const devices = await db.from('agent_devices').where('user_id', agent.id)
    assert.lengthOf(devices, 1)
    assert.lengthOf(await auditEntries('ivr_flow.created', flow.id), 1)
  })
})
