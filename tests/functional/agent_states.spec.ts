import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { DateTime } from 'luxon'
import AgentState from '#models/agent_state'
import AgentStateEvent from '#models/agent_state_event'
import AuditLog from '#models/audit_log'
import BreakReason from '#models/break_reason'
import type User from '#models/user'
import { makeTeam, makeUser, setMfaRequired } from '#tests/helpers/accounts'
import { api, auditEntries, signedIn } from './telephony_config/support.js'

let seq = 0
async function breakReason(overrides: Partial<BreakReason> = {}) {
  seq++
  return BreakReason.create({
    code: `lunch_${seq}_${Date.now() % 100000}`,
    nameEn: 'Lunch',
    nameZhCn: '午餐',
    active: true,
    ...overrides,
  })
}

async function setState(user: User, state: AgentState['state'], reason: string | null = null) {
  await AgentState.updateOrCreate(
    { userId: user.id },
    { state, reason, since: DateTime.utc().minus({ minutes: 3 }), updatedBy: null }
  )
}

async function stateOf(user: User) {
  const row = await AgentState.find(user.id)
  return row ? { state: row.state, reason: row.reason } : null
}

test.group("Agents' status | own status, the board, forcing", (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.setup(() =>
    setMfaRequired({ admin: false, supervisor: false, team_lead: false, agent: false })
  )

  test('an agent takes a break with a reason: status, history row and audit entry', async ({
    assert,
  }) => {
    const { user, agent } = await signedIn('agent')
    await setState(user, 'available')
    const lunch = await breakReason()

    const res = await api(agent, 'PUT', '/my-status', { state: 'break', reason: lunch.code })
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(res.json.state, { changed: true, state: 'break', reason: lunch.code })
    assert.deepEqual(await stateOf(user), { state: 'break', reason: lunch.code })

    const events = await AgentStateEvent.query().where('user_id', user.id)
    assert.lengthOf(events, 1)
    assert.equal(events[0].fromState, 'available')
    assert.equal(events[0].toState, 'break')
    assert.equal(events[0].reason, lunch.code)
    assert.equal(events[0].changedBy, user.id)

    const [entry] = await auditEntries('agent.state_changed', user.id)
    assert.equal(entry.actorId, user.id)
    assert.deepEqual(JSON.parse(entry.before!), { state: 'available', reason: null })
    assert.deepEqual(JSON.parse(entry.after!), { state: 'break', reason: lunch.code, via: 'web' })

    // The same request again changes and records nothing.
    const again = await api(agent, 'PUT', '/my-status', { state: 'break', reason: lunch.code })
    assert.equal(again.status, 200)
    assert.isFalse(again.json.state.changed)
    assert.lengthOf(await AgentStateEvent.query().where('user_id', user.id), 1)
    assert.lengthOf(await auditEntries('agent.state_changed', user.id), 1)
  })

  test("the agent's page shows the status, today's time per state and the feature codes", async ({
    assert,
  }) => {
    const { user, agent } = await signedIn('agent')
    const lunch = await breakReason({ dialCode: '7' })
    const now = Date.now()
    // Available from 40 minutes ago, on break for the last 10.
    await AgentStateEvent.createMany([
      { userId: user.id, fromState: null, toState: 'available', at: now - 40 * 60_000 },
      {
        userId: user.id,
        fromState: 'available',
        toState: 'break',
        reason: lunch.code,
        at: now - 10 * 60_000,
      },
    ])
    await AgentState.create({
      userId: user.id,
      state: 'break',
      reason: lunch.code,
      since: DateTime.fromMillis(now - 10 * 60_000),
    })
    const res = await api(agent, 'GET', '/my-status?tz=UTC')
    assert.equal(res.status, 200, res.text)
    assert.equal(res.json.me.state, 'break')
    assert.equal(res.json.me.reason, lunch.code)
    assert.equal(res.json.today.timeZone, 'UTC')
    // In the first 40 minutes after midnight UTC part of that history was yesterday.
    const midnight = DateTime.utc().startOf('day').toMillis()
    if (now - 40 * 60_000 >= midnight) {
      assert.closeTo(res.json.today.secondsByState.available, 30 * 60, 3)
      assert.closeTo(res.json.today.secondsByState.break, 10 * 60, 3)
      assert.closeTo(res.json.today.breakSecondsByReason[lunch.code], 10 * 60, 3)
    }
    assert.deepEqual(
      res.json.featureCodes.map((c: any) => c.code),
      ['*21', '*22', '*22', '*23']
    )
    assert.include(
      res.json.breakReasons.map((r: any) => r.dialCode),
      '7'
    )

    const page = await agent.get('/my-status')
    assert.equal(page.page?.component, 'agents/my_status')
    const bad = await api(agent, 'GET', '/my-status?tz=Mars/Olympus')
    assert.equal(bad.status, 422)
  })

  test('an unknown or inactive break reason is refused in Chinese and nothing changes', async ({
    assert,
  }) => {
    const { user, agent } = await signedIn('agent', { locale: 'zh-CN' })
    await setState(user, 'available')
    const retired = await breakReason({ active: false })

    for (const reason of ['no_such_reason', retired.code]) {
      const res = await api(agent, 'PUT', '/my-status', { state: 'break', reason })
      assert.equal(res.status, 422, res.text)
      assert.equal(res.json.errors[0].field, 'reason')
      assert.equal(res.json.errors[0].message, '请选择有效的小休原因')
    }
    const badState = await api(agent, 'PUT', '/my-status', { state: 'on_call' })
    assert.equal(badState.status, 422)
    assert.equal(badState.json.errors[0].field, 'state')
    assert.include(badState.json.errors[0].message, '坐席状态')

    assert.deepEqual(await stateOf(user), { state: 'available', reason: null })
    assert.lengthOf(await AgentStateEvent.query().where('user_id', user.id), 0)
    assert.lengthOf(await auditEntries('agent.state_changed', user.id), 0)
  })

  test("an agent cannot see the board or change another agent's status", async ({ assert }) => {
    const { user, agent } = await signedIn('agent', { locale: 'zh-CN' })
    const other = await makeUser('agent')
    await setState(other, 'break')

    const force = await api(agent, 'PUT', `/agent-status/${other.id}`, { state: 'available' })
    assert.equal(force.status, 403)
    assert.equal(force.json.errors[0].message, '您没有权限执行此操作')
    assert.equal((await api(agent, 'GET', '/agent-status')).status, 403)
    assert.deepEqual(await stateOf(other), { state: 'break', reason: null })

    // The own-status request has no agent id to point elsewhere: extra fields change nothing.
    const own = await api(agent, 'PUT', '/my-status', { state: 'available', userId: other.id })
    assert.equal(own.status, 200)
    assert.equal((await stateOf(user))?.state, 'available')
    assert.deepEqual(await stateOf(other), { state: 'break', reason: null })
  })

  test('a user who takes no calls has no own status page', async ({ assert }) => {
    const { agent } = await signedIn('supervisor')
    assert.equal((await api(agent, 'GET', '/my-status')).status, 403)
    assert.equal((await api(agent, 'PUT', '/my-status', { state: 'available' })).status, 403)
  })

  test('a team lead sees and forces only their own team', async ({ assert }) => {
    const mine = await makeTeam()
    const theirs = await makeTeam()
    const { user: lead, agent } = await signedIn('team_lead', { teamId: mine.id })
    const teammate = await makeUser('agent', { teamId: mine.id })
    const stranger = await makeUser('agent', { teamId: theirs.id })
    await setState(teammate, 'break')
    await setState(stranger, 'break')

    for (const query of ['', `?teamId=${theirs.id}`]) {
      const board = await api(agent, 'GET', `/agent-status${query}`)
      assert.equal(board.status, 200, board.text)
      const ids = board.json.agents.map((a: any) => a.id)
      assert.include(ids, teammate.id)
      assert.include(ids, lead.id)
      assert.notInclude(ids, stranger.id)
      assert.isTrue(board.json.teamScoped)
    }

    const refused = await api(agent, 'PUT', `/agent-status/${stranger.id}`, { state: 'offline' })
    assert.equal(refused.status, 403)
    assert.deepEqual(await stateOf(stranger), { state: 'break', reason: null })

    const forced = await api(agent, 'PUT', `/agent-status/${teammate.id}`, { state: 'offline' })
    assert.equal(forced.status, 200, forced.text)
    assert.deepEqual(await stateOf(teammate), { state: 'offline', reason: null })
    const [event] = await AgentStateEvent.query().where('user_id', teammate.id)
    assert.equal(event.changedBy, lead.id)
    const [entry] = await auditEntries('agent.state_forced', teammate.id)
    assert.equal(entry.actorId, lead.id)
    assert.equal(JSON.parse(entry.after!).state, 'offline')
  })

  test('a supervisor forces any agent available or offline, never to a break', async ({
    assert,
  }) => {
    const { user: supervisor, agent } = await signedIn('supervisor')
    const someone = await makeUser('agent', { teamId: (await makeTeam()).id })
    await setState(someone, 'missed', 'no_answer')

    const back = await api(agent, 'PUT', `/agent-status/${someone.id}`, { state: 'available' })
    assert.equal(back.status, 200, back.text)
    assert.deepEqual(await stateOf(someone), { state: 'available', reason: null })
    assert.equal((await auditEntries('agent.state_forced', someone.id))[0].actorId, supervisor.id)

    const toBreak = await api(agent, 'PUT', `/agent-status/${someone.id}`, { state: 'break' })
    assert.equal(toBreak.status, 422)
    assert.equal((await stateOf(someone))?.state, 'available')

    const admin = await makeUser('admin')
    const notAnAgent = await api(agent, 'PUT', `/agent-status/${admin.id}`, { state: 'offline' })
    assert.equal(notAnAgent.status, 403)
  })

  test('nobody changes the status of an agent who is ringing or on a call', async ({ assert }) => {
    const { user, agent } = await signedIn('agent', { locale: 'zh-CN' })
    const { agent: supervisor } = await signedIn('supervisor')
    const lunch = await breakReason()
    for (const state of ['ringing', 'on_call'] as const) {
      await setState(user, state)
      const own = await api(agent, 'PUT', '/my-status', { state: 'break', reason: lunch.code })
      assert.equal(own.status, 409, own.text)
      assert.include(own.json.errors[0].message, '通话中')
      const forced = await api(supervisor, 'PUT', `/agent-status/${user.id}`, { state: 'offline' })
      assert.equal(forced.status, 409)
      assert.equal((await stateOf(user))?.state, state)
    }
    // During wrap-up a break ends it early.
    await setState(user, 'wrap_up')
    const res = await api(agent, 'PUT', '/my-status', { state: 'break', reason: lunch.code })
    assert.equal(res.status, 200)
    assert.deepEqual(await stateOf(user), { state: 'break', reason: lunch.code })
    assert.lengthOf(await AuditLog.query().where('action', 'agent.state_changed'), 1)
  })

  test('the board pages, sorts and filters on the server', async ({ assert }) => {
    const { agent } = await signedIn('supervisor')
    const team = await makeTeam()
    const names = ['Zhao 赵', 'Qian 钱', 'Sun 孙']
    const users = []
    for (const [i, fullName] of names.entries()) {
      const u = await makeUser('agent', { fullName, teamId: team.id })
      await AgentState.create({
        userId: u.id,
        state: i === 2 ? 'available' : 'break',
        reason: null,
        since: DateTime.utc().minus({ minutes: 10 * (i + 1) }),
      })
      users.push(u)
    }
    await makeUser('agent', { fullName: 'Disabled', teamId: team.id, isDisabled: true })
    const base = `/agent-status?teamId=${team.id}`

    const byName = await api(agent, 'GET', `${base}&sort=full_name&order=asc`)
    assert.deepEqual(
      byName.json.agents.map((a: any) => a.fullName),
      ['Qian 钱', 'Sun 孙', 'Zhao 赵']
    )
    assert.equal(byName.json.meta.total, 3)

    const longest = await api(agent, 'GET', `${base}&sort=since&order=asc`)
    assert.deepEqual(
      longest.json.agents.map((a: any) => a.fullName),
      ['Sun 孙', 'Qian 钱', 'Zhao 赵']
    )

    const onBreak = await api(agent, 'GET', `${base}&state=break`)
    assert.sameMembers(
      onBreak.json.agents.map((a: any) => a.id),
      [users[0].id, users[1].id]
    )

    const paged = await api(agent, 'GET', `${base}&perPage=10&page=1&search=sun`)
    assert.deepEqual(
      paged.json.agents.map((a: any) => a.id),
      [users[2].id]
    )
    assert.equal((await api(agent, 'GET', `${base}&sort=password`)).status, 422)

    const page = await agent.get('/agent-status')
    assert.equal(page.page?.component, 'agents/status_board')
  })

  test('an admin gives a break reason a phone code; codes are unique digits', async ({
    assert,
  }) => {
    const { agent } = await signedIn('admin')
    const res = await api(agent, 'POST', '/telephony/break-reasons', {
      code: `coffee_${Date.now() % 100000}`,
      dialCode: '42',
      nameEn: 'Coffee',
      nameZhCn: '咖啡',
    })
    assert.equal(res.status, 201, res.text)
    assert.equal(res.json.breakReason.dialCode, '42')

    const taken = await api(agent, 'POST', '/telephony/break-reasons', {
      code: `tea_${Date.now() % 100000}`,
      dialCode: '42',
      nameEn: 'Tea',
      nameZhCn: '茶',
    })
    assert.equal(taken.status, 422)
    assert.equal(taken.json.errors[0].field, 'dialCode')

    const letters = await api(agent, 'POST', '/telephony/break-reasons', {
      code: `tea_${Date.now() % 100000}`,
      dialCode: '4a',
      nameEn: 'Tea',
      nameZhCn: '茶',
    })
    assert.equal(letters.status, 422)

    // An update that does not mention the code keeps it.
    const id = res.json.breakReason.id
    const update = await api(agent, 'PUT', `/telephony/break-reasons/${id}`, {
      code: res.json.breakReason.code,
      nameEn: 'Coffee break',
      nameZhCn: '咖啡',
    })
    assert.equal(update.status, 200, update.text)
    assert.equal((await BreakReason.findOrFail(id)).dialCode, '42')
  })
})
