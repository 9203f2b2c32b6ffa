import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import Calendar from '#models/calendar'
import Skill from '#models/skill'
import BreakReason from '#models/break_reason'
import AuditLog from '#models/audit_log'
import { makeTeam, setMfaRequired } from '#tests/helpers/accounts'
import { api, signedIn } from './support.js'

const CONFIG_PAGES = [
  '/telephony/calendars',
  '/telephony/inbound-routes',
  '/telephony/ivr-flows',
  '/telephony/queues',
  '/telephony/agents',
  '/telephony/skills',
  '/telephony/break-reasons',
]

const CHANGES: Array<[string, string, Record<string, unknown>]> = [
  [
    'POST',
    '/telephony/calendars',
    { name: 'Sneaky', timeZone: 'Asia/Shanghai', weekly: {}, holidays: [] },
  ],
  [
    'POST',
    '/telephony/inbound-routes',
    { name: 'Sneaky', didPattern: '110', targetType: 'queue', targetId: 1 },
  ],
  ['POST', '/telephony/ivr-flows', { name: 'Sneaky', entryNode: 'a', nodes: {} }],
  ['POST', '/telephony/queues', { name: 'Sneaky', strategy: 'round_robin' }],
  ['POST', '/telephony/skills', { name: 'sneaky' }],
  ['POST', '/telephony/break-reasons', { code: 'sneaky', nameEn: 'x', nameZhCn: 'x' }],
  ['POST', '/telephony/devices', { userId: 1, transport: 'udp' }],
]

test.group('Calls configuration | who may read and change it', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.setup(() =>
    setMfaRequired({ admin: false, supervisor: false, team_lead: false, agent: false })
  )

  test('an agent can neither read nor change the calls configuration', async ({ assert }) => {
    const { agent } = await signedIn('agent')
    for (const path of CONFIG_PAGES) {
      assert.equal((await agent.get(path)).status, 403, path)
      assert.equal((await agent.get(path, 'application/json')).status, 403, `${path} as JSON`)
    }
    for (const [method, path, body] of CHANGES) {
      assert.equal((await api(agent, method, path, body)).status, 403, `${method} ${path}`)
    }
    assert.isNull(await Skill.findBy('name', 'sneaky'))
    assert.isNull(await BreakReason.findBy('code', 'sneaky'))
  })

  test('a team lead cannot change the configuration; the refusal is translated', async ({
    assert,
  }) => {
    const team = await makeTeam()
    const { agent } = await signedIn('team_lead', { teamId: team.id, locale: 'zh-CN' })
    const before = await AuditLog.query().count('* as n')
    for (const [method, path, body] of CHANGES) {
      const res = await api(agent, method, path, body)
      assert.equal(res.status, 403, `${method} ${path}`)
      assert.equal(res.json.errors[0].message, '您没有权限执行此操作')
    }
    const calendar = await Calendar.create({
      name: 'Fixed',
      timeZone: 'Asia/Shanghai',
      weekly: {},
      holidays: [],
      workdayOverrides: [],
    })
    const put = await api(agent, 'PUT', `/telephony/calendars/${calendar.id}`, {
      name: 'Changed',
      timeZone: 'UTC',
      weekly: {},
    })
    assert.equal(put.status, 403)
    assert.equal((await api(agent, 'DELETE', `/telephony/calendars/${calendar.id}`)).status, 403)
    assert.equal((await Calendar.findOrFail(calendar.id)).name, 'Fixed')
    assert.isNull(await Calendar.findBy('name', 'Sneaky'))
    const after = await AuditLog.query().count('* as n')
    assert.equal(Number(after[0].$extras.n), Number(before[0].$extras.n))
  })

  test('a supervisor reads every configuration page but changes nothing', async ({ assert }) => {
    const { agent } = await signedIn('supervisor')
    for (const path of CONFIG_PAGES) {
      const res = await agent.get(path, 'application/json')
      assert.equal(res.status, 200, path)
      assert.isFalse(res.json.canManage, path)
    }
    for (const [method, path, body] of CHANGES) {
      assert.equal((await api(agent, method, path, body)).status, 403, `${method} ${path}`)
    }
  })
})
