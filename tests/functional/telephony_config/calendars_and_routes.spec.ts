import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import Calendar from '#models/calendar'
import InboundRoute from '#models/inbound_route'
import Queue from '#models/queue'
import { setMfaRequired } from '#tests/helpers/accounts'
import { api, auditEntries, fieldErrors, signedIn } from './support.js'

const OFFICE = {
  name: 'Office hours',
  timeZone: 'Asia/Shanghai',
  weekly: {
    mon: [
      { start: '09:00', end: '12:00' },
      { start: '13:30', end: '18:00' },
    ],
    tue: [{ start: '09:00', end: '18:00' }],
    sat: [],
  },
  holidays: [{ date: '2026-10-01', name: 'National Day 国庆节' }],
  workdayOverrides: [{ date: '2026-09-27', name: '调休', sameAs: 'mon' }],
}

async function makeQueue(name = `Queue ${Date.now()}-${Math.random()}`) {
  return Queue.create({
    name,
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

test.group('Calls configuration | opening hours and inbound routes', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.setup(() =>
    setMfaRequired({ admin: false, supervisor: false, team_lead: false, agent: false })
  )

  test('an admin creates opening hours; the calendar is stored whole and audited', async ({
    assert,
  }) => {
    const { user: admin, agent } = await signedIn('admin')
    const res = await api(agent, 'POST', '/telephony/calendars', OFFICE)
    assert.equal(res.status, 201, res.text)
    assert.equal(res.json.calendar.name, 'Office hours')
    assert.deepEqual(res.json.calendar.weekly.mon, OFFICE.weekly.mon)
    assert.deepEqual(res.json.calendar.weekly.sun, [])
    assert.deepEqual(res.json.warnings, [])

    const calendar = await Calendar.findOrFail(res.json.calendar.id)
    assert.deepEqual(calendar.workdayOverrides, [
      { date: '2026-09-27', name: '调休', sameAs: 'mon' },
    ])
    const [entry] = await auditEntries('calendar.created', calendar.id)
    assert.equal(entry.actorId, admin.id)
    assert.equal(JSON.parse(entry.after!).timeZone, 'Asia/Shanghai')
  })

  test('invalid opening hours are refused with translated field errors and nothing is saved', async ({
    assert,
  }) => {
    const { agent } = await signedIn('admin', { locale: 'zh-CN' })
    const res = await api(agent, 'POST', '/telephony/calendars', {
      ...OFFICE,
      timeZone: 'Mars/Olympus',
      weekly: {
        mon: [{ start: '9am', end: '18:00' }],
        tue: Array.from({ length: 9 }, (_, i) => ({ start: `0${i}:00`, end: `0${i}:30` })),
      },
    })
    assert.equal(res.status, 422)
    const errors = fieldErrors(res.json)
    assert.equal(errors.timeZone[0], '请选择有效的时区，例如 Asia/Shanghai')
    assert.equal(errors['weekly.mon.0.start'][0], '开始时间格式不正确')
    assert.equal(errors['weekly.tue'][0], '周二最多只能有 8 项')

    // The hours engine's own checks come back the same way.
    const overlap = await api(agent, 'POST', '/telephony/calendars', {
      ...OFFICE,
      weekly: {
        mon: [
          { start: '09:00', end: '12:00' },
          { start: '11:00', end: '18:00' },
        ],
      },
    })
    assert.equal(overlap.status, 422)
    assert.equal(fieldErrors(overlap.json)['weekly.mon.1'][0], '该时间段与同一天的其他时间段重叠')
    assert.isNull(await Calendar.findBy('name', 'Office hours'))
    assert.lengthOf(await auditEntries('calendar.created'), 0)
  })

  test('a change is audited with only what changed; an unchanged save writes nothing', async ({
    assert,
  }) => {
    const { agent } = await signedIn('admin')
    const created = await api(agent, 'POST', '/telephony/calendars', OFFICE)
    const id = created.json.calendar.id
    const res = await api(agent, 'PUT', `/telephony/calendars/${id}`, {
      ...OFFICE,
      holidays: [...OFFICE.holidays, { date: '2026-10-02' }],
    })
    assert.equal(res.status, 200, res.text)
    const [entry] = await auditEntries('calendar.updated', id)
    assert.deepEqual(Object.keys(JSON.parse(entry.after!)), ['holidays'])
    assert.lengthOf(JSON.parse(entry.after!).holidays, 2)
    assert.lengthOf(JSON.parse(entry.before!).holidays, 1)

    await api(agent, 'PUT', `/telephony/calendars/${id}`, {
      ...OFFICE,
      holidays: [...OFFICE.holidays, { date: '2026-10-02' }],
    })
    assert.lengthOf(await auditEntries('calendar.updated', id), 1)
  })

  test('an admin creates and changes an inbound route; both are audited', async ({ assert }) => {
    const { agent } = await signedIn('admin')
    const queue = await makeQueue()
    const calendar = await Calendar.create({
      name: 'Hours',
      timeZone: 'Asia/Shanghai',
      weekly: {},
      holidays: [],
      workdayOverrides: [],
    })
    const res = await api(agent, 'POST', '/telephony/inbound-routes', {
      name: 'Hotline',
      didPattern: '_400x.',
      targetType: 'queue',
      targetId: queue.id,
      calendarId: calendar.id,
      closedTargetType: 'hangup',
    })
    assert.equal(res.status, 201, res.text)
    assert.equal(res.json.route.didPattern, '_400X.')
    assert.equal(res.json.route.calendarName, 'Hours')
    assert.isTrue(res.json.route.enabled)
    const id = res.json.route.id
    assert.lengthOf(await auditEntries('inbound_route.created', id), 1)

    const update = await api(agent, 'PUT', `/telephony/inbound-routes/${id}`, {
      name: 'Hotline',
      didPattern: '4008001000',
      targetType: 'queue',
      targetId: queue.id,
      enabled: false,
    })
    assert.equal(update.status, 200, update.text)
    const route = await InboundRoute.findOrFail(id)
    assert.isFalse(route.enabled)
    // Without a calendar there are no closed hours to handle.
    assert.isNull(route.calendarId)
    assert.isNull(route.closedTargetType)
    const [entry] = await auditEntries('inbound_route.updated', id)
    assert.deepInclude(JSON.parse(entry.after!), { didPattern: '4008001000', enabled: false })
    assert.deepInclude(JSON.parse(entry.before!), { didPattern: '_400X.', enabled: true })

    const list = await agent.get('/telephony/inbound-routes', 'application/json')
    assert.equal(list.status, 200)
    assert.include(
      list.json.routes.map((r: any) => r.id),
      id
    )
    assert.deepInclude(list.json.targets.queues, { id: queue.id, name: queue.name })
  })

  test('a route to a destination that does not exist, or with a bad number, is refused', async ({
    assert,
  }) => {
    const { agent } = await signedIn('admin')
    const res = await api(agent, 'POST', '/telephony/inbound-routes', {
      name: 'Broken',
      didPattern: '400-800',
      targetType: 'ivr',
      targetId: 999999,
      calendarId: null,
    })
    assert.equal(res.status, 422)
    const errors = fieldErrors(res.json)
    assert.equal(
      errors.didPattern[0],
      'Dialled number must be a number (4008001000) or a pattern such as _400X.'
    )
    assert.equal(errors.targetId[0], 'The selected Destination does not exist')
    assert.isNull(await InboundRoute.findBy('name', 'Broken'))

    const calendar = await Calendar.create({
      name: 'Hours 2',
      timeZone: 'Asia/Shanghai',
      weekly: {},
      holidays: [],
      workdayOverrides: [],
    })
    const queue = await makeQueue()
    const noClosed = await api(agent, 'POST', '/telephony/inbound-routes', {
      name: 'Broken',
      didPattern: '4008001000',
      targetType: 'queue',
      targetId: queue.id,
      calendarId: calendar.id,
    })
    assert.equal(noClosed.status, 422)
    assert.property(fieldErrors(noClosed.json), 'closedTargetType')
  })

  test('opening hours still used by a route cannot be deleted', async ({ assert }) => {
    const { agent } = await signedIn('admin')
    const queue = await makeQueue()
    const created = await api(agent, 'POST', '/telephony/calendars', OFFICE)
    const calendarId = created.json.calendar.id
    await api(agent, 'POST', '/telephony/inbound-routes', {
      name: 'Daytime',
      didPattern: '4008001000',
      targetType: 'queue',
      targetId: queue.id,
      calendarId,
      closedTargetType: 'voicemail',
    })
    const refused = await api(agent, 'DELETE', `/telephony/calendars/${calendarId}`)
    assert.equal(refused.status, 422)
    assert.equal(refused.json.errors[0].message, 'These opening hours are still used by: Daytime')
    assert.isNotNull(await Calendar.find(calendarId))

    const route = await InboundRoute.findByOrFail('name', 'Daytime')
    assert.equal((await api(agent, 'DELETE', `/telephony/inbound-routes/${route.id}`)).status, 204)
    assert.equal((await api(agent, 'DELETE', `/telephony/calendars/${calendarId}`)).status, 204)
    assert.isNull(await Calendar.find(calendarId))
    assert.lengthOf(await auditEntries('calendar.deleted', calendarId), 1)
    assert.lengthOf(await auditEntries('inbound_route.deleted', route.id), 1)
  })

  test('the pages render for a browser, with the same props', async ({ assert }) => {
    const { agent } = await signedIn('supervisor')
    await Calendar.create({
      name: 'Shown',
      timeZone: 'Asia/Shanghai',
      weekly: {},
      holidays: [],
      workdayOverrides: [],
    })
    const page = await agent.get('/telephony/calendars')
    assert.equal(page.status, 200)
    assert.equal(page.page?.component, 'telephony/calendars/index')
    assert.include(
      page.page?.props.calendars.map((c: any) => c.name),
      'Shown'
    )
    assert.isFalse(page.page?.props.canManage)
  })
})
