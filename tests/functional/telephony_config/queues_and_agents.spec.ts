import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import encryption from '@adonisjs/core/services/encryption'
import Queue from '#models/queue'
import QueueAgent from '#models/queue_agent'
import Skill from '#models/skill'
import AgentSkill from '#models/agent_skill'
import AgentDevice from '#models/agent_device'
import BreakReason from '#models/break_reason'
import AgentStateEvent from '#models/agent_state_event'
import AuditLog from '#models/audit_log'
import { makeUser, setMfaRequired } from '#tests/helpers/accounts'
import { api, auditEntries, fieldErrors, signedIn } from './support.js'

const SALES = {
  name: 'Sales 销售',
  strategy: 'longest_idle',
  ringTimeoutSeconds: 20,
  wrapUpSeconds: 15,
  maxWaitSeconds: 300,
  overflowAction: 'voicemail',
  announceEverySeconds: 60,
  recordingRetentionDays: 180,
  serviceLevelSeconds: 20,
}

test.group('Calls configuration | queues, skills, break reasons and phones', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.setup(() =>
    setMfaRequired({ admin: false, supervisor: false, team_lead: false, agent: false })
  )

  test('an admin creates a queue with its agents and a skill requirement; audited', async ({
    assert,
  }) => {
    const { user: admin, agent } = await signedIn('admin')
    const skill = await Skill.create({ name: 'mandarin' })
    const a1 = await makeUser('agent')
    const a2 = await makeUser('agent')
    const res = await api(agent, 'POST', '/telephony/queues', {
      ...SALES,
      strategy: 'skills_based',
      requiredSkillId: skill.id,
      requiredSkillLevel: 5,
      members: [
        { userId: a1.id, penalty: 0 },
        { userId: a2.id, penalty: 2 },
      ],
    })
    assert.equal(res.status, 201, res.text)
    assert.equal(res.json.queue.requiredSkillName, 'mandarin')
    assert.equal(res.json.queue.musicOnHold, 'default')
    assert.deepEqual(
      res.json.queue.members.map((m: any) => [m.userId, m.penalty]),
      [
        [a1.id, 0],
        [a2.id, 2],
      ]
    )
    const [entry] = await auditEntries('queue.created', res.json.queue.id)
    assert.equal(entry.actorId, admin.id)
    assert.deepEqual(JSON.parse(entry.after!).members, [
      { userId: a1.id, penalty: 0 },
      { userId: a2.id, penalty: 2 },
    ])
  })

  test('changing a queue audits the fields and the members that changed', async ({ assert }) => {
    const { agent } = await signedIn('admin')
    const a1 = await makeUser('agent')
    const a2 = await makeUser('agent')
    const created = await api(agent, 'POST', '/telephony/queues', {
      ...SALES,
      members: [{ userId: a1.id }],
    })
    const id = created.json.queue.id
    const res = await api(agent, 'PUT', `/telephony/queues/${id}`, {
      ...SALES,
      wrapUpSeconds: 30,
      members: [{ userId: a2.id, penalty: 1 }],
    })
    assert.equal(res.status, 200, res.text)
    const members = await QueueAgent.query().where('queue_id', id)
    assert.deepEqual(
      members.map((m) => m.userId),
      [a2.id]
    )
    const [entry] = await auditEntries('queue.updated', id)
    assert.deepEqual(JSON.parse(entry.before!), {
      wrapUpSeconds: 15,
      members: [{ userId: a1.id, penalty: 0 }],
    })
    assert.deepEqual(JSON.parse(entry.after!), {
      wrapUpSeconds: 30,
      members: [{ userId: a2.id, penalty: 1 }],
    })

    // Leaving `members` out keeps them.
    await api(agent, 'PUT', `/telephony/queues/${id}`, { ...SALES, wrapUpSeconds: 45 })
    assert.lengthOf(await QueueAgent.query().where('queue_id', id), 1)
  })

  test('an invalid queue is refused with translated errors and nothing is created', async ({
    assert,
  }) => {
    const { agent } = await signedIn('admin', { locale: 'zh-CN' })
    const res = await api(agent, 'POST', '/telephony/queues', {
      ...SALES,
      strategy: 'random',
      ringTimeoutSeconds: 1,
      overflowAction: 'queue',
      members: [{ userId: 999999 }],
    })
    assert.equal(res.status, 422)
    const errors = fieldErrors(res.json)
    assert.equal(errors.strategy[0], '请选择有效的分配策略')
    assert.equal(errors.ringTimeoutSeconds[0], '振铃时长必须在 5 到 300 之间')
    assert.equal(errors.overflowTarget[0], '请填写溢出目标')
    assert.equal(errors['members.0.userId'][0], '所选坐席不存在')
    assert.isNull(await Queue.findBy('name', SALES.name))

    const other = await api(agent, 'POST', '/telephony/queues', {
      ...SALES,
      overflowAction: 'queue',
      overflowTarget: '999999',
    })
    assert.equal(fieldErrors(other.json).overflowTarget[0], '请选择另一个已存在的队列')
    assert.lengthOf(await auditEntries('queue.created'), 0)
  })

  test('skills, agent skill levels and break reasons are maintained and audited', async ({
    assert,
  }) => {
    const { agent } = await signedIn('admin')
    const skill = await api(agent, 'POST', '/telephony/skills', { name: 'english' })
    assert.equal(skill.status, 201, skill.text)
    const duplicate = await api(agent, 'POST', '/telephony/skills', { name: 'english' })
    assert.equal(fieldErrors(duplicate.json).name[0], 'This Name is already taken')

    const mandarin = await Skill.create({ name: 'mandarin' })
    const person = await makeUser('agent')
    const res = await api(agent, 'PUT', `/telephony/agents/${person.id}/skills`, {
      skills: [
        { skillId: skill.json.skill.id, level: 7 },
        { skillId: mandarin.id, level: 10 },
      ],
    })
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(
      res.json.agent.skills.map((s: any) => [s.name, s.level]),
      [
        ['english', 7],
        ['mandarin', 10],
      ]
    )
    const tooHigh = await api(agent, 'PUT', `/telephony/agents/${person.id}/skills`, {
      skills: [{ skillId: mandarin.id, level: 11 }],
    })
    assert.equal(tooHigh.status, 422)
    assert.equal(fieldErrors(tooHigh.json)['skills.0.level'][0], 'Level must be between 1 and 10')
    assert.lengthOf(await AgentSkill.query().where('user_id', person.id), 2)
    const [entry] = await auditEntries('agent.skills_changed', person.id)
    assert.lengthOf(JSON.parse(entry.after!).skills, 2)

    const reason = await api(agent, 'POST', '/telephony/break-reasons', {
      code: 'lunch',
      nameEn: 'Lunch',
      nameZhCn: '午餐',
    })
    assert.equal(reason.status, 201, reason.text)
    assert.isTrue(reason.json.breakReason.active)
    const bad = await api(agent, 'POST', '/telephony/break-reasons', {
      code: 'Coffee Break',
      nameEn: '',
      nameZhCn: '咖啡',
    })
    assert.equal(bad.status, 422)
    assert.sameMembers(Object.keys(fieldErrors(bad.json)), ['code', 'nameEn'])

    // A used break reason is deactivated, not deleted: reports name breaks by its code.
    await AgentStateEvent.create({
      userId: person.id,
      fromState: 'available',
      toState: 'break',
      reason: 'lunch',
      at: Date.now(),
    })
    const id = reason.json.breakReason.id
    assert.equal((await api(agent, 'DELETE', `/telephony/break-reasons/${id}`)).status, 422)
    const off = await api(agent, 'PUT', `/telephony/break-reasons/${id}`, {
      code: 'lunch',
      nameEn: 'Lunch',
      nameZhCn: '午餐',
      active: false,
    })
    assert.equal(off.status, 200)
    assert.isFalse((await BreakReason.findOrFail(id)).active)
    const [changed] = await auditEntries('break_reason.updated', id)
    assert.deepEqual(JSON.parse(changed.after!), { active: false })
  })

  test('a phone gets a strong SIP password shown once, stored encrypted, never audited', async ({
    assert,
  }) => {
    const { agent } = await signedIn('admin')
    const person = await makeUser('agent')
    const res = await api(agent, 'POST', '/telephony/devices', {
      userId: person.id,
      transport: 'udp',
    })
    assert.equal(res.status, 201, res.text)
    assert.equal(res.headers.get('cache-control'), 'no-store')
    const password: string = res.json.password
    assert.match(password, /^[A-Za-z0-9_-]{24}$/)
    assert.equal(res.json.device.endpoint, String(1000 + person.id))
    assert.notProperty(res.json.device, 'secret')

    const row = await db.from('agent_devices').where('id', res.json.device.id).first()
    assert.notInclude(row.secret, password)
    assert.equal(encryption.decrypt(row.secret), password)
    const device = await AgentDevice.findOrFail(res.json.device.id)
    assert.equal(device.sipPassword(), password)

    const [entry] = await auditEntries('agent_device.created', device.id)
    assert.notInclude(entry.after!, password)
    assert.isTrue(JSON.parse(entry.after!).sipPasswordSet)

    // Not shown again: not on the agents page, not in any later answer.
    const list = await agent.get('/telephony/agents?perPage=200', 'application/json')
    assert.notInclude(list.text, password)
    assert.notInclude(list.text, row.secret)
    const listed = list.json.agents.find((a: any) => a.id === person.id)
    assert.equal(listed.devices[0].endpoint, device.endpoint)

    const rotated = await api(agent, 'POST', `/telephony/devices/${device.id}/rotate-password`)
    assert.equal(rotated.status, 200, rotated.text)
    assert.notEqual(rotated.json.password, password)
    await device.refresh()
    assert.equal(device.sipPassword(), rotated.json.password)
    const [rotation] = await auditEntries('agent_device.password_rotated', device.id)
    const everything = (await AuditLog.query().where('target_type', 'agent_device'))
      .map((a) => `${a.before} ${a.after}`)
      .join(' ')
    assert.notInclude(everything, password)
    assert.notInclude(everything, rotated.json.password)
    assert.isNotNull(rotation)

    const taken = await api(agent, 'POST', '/telephony/devices', {
      userId: person.id,
      endpoint: device.endpoint,
      transport: 'webrtc',
    })
    assert.equal(taken.status, 422)
    assert.property(fieldErrors(taken.json), 'endpoint')
    assert.lengthOf(await AgentDevice.query().where('user_id', person.id), 1)
  })

  test('for a browser the new password is rendered once, not flashed into the session', async ({
    assert,
  }) => {
    const { agent } = await signedIn('admin')
    const person = await makeUser('agent')
    await agent.visit('/telephony/agents')
    const res = await agent.post('/telephony/devices', { userId: person.id, transport: 'webrtc' })
    assert.equal(res.status, 200)
    assert.equal(res.page?.component, 'telephony/agents/device_password')
    const password = res.page?.props.password as string
    assert.lengthOf(password, 24)
    const sessions = await db.from('sessions').select('data')
    assert.notInclude(JSON.stringify(sessions), password)
  })
})
