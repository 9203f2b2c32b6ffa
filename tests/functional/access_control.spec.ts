import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import AuditLog from '#models/audit_log'
import User from '#models/user'
import { HttpAgent } from '#tests/helpers/http_agent'
import {
  makeTeam,
  makeUser,
  makeUserWithMfa,
  PASSWORD,
  setMfaRequired,
  totpCode,
} from '#tests/helpers/accounts'
import type { Role } from '#app/auth/roles'

async function signedIn(role: Role, overrides: Partial<User> = {}) {
  const user = await makeUser(role, overrides)
  const agent = new HttpAgent(
    `${role}-browser`,
    `10.8.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`
  )
  await agent.signIn(user.email, PASSWORD)
  return { user, agent }
}

test.group('Access control', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.setup(() =>
    setMfaRequired({ admin: false, supervisor: false, team_lead: false, agent: false })
  )

  test('an agent cannot open admin pages or APIs', async ({ assert }) => {
    const { agent } = await signedIn('agent')
    for (const path of [
      '/admin/users',
      '/admin/teams',
      '/admin/roles',
      '/audit',
      '/audit/export',
      '/admin/health',
    ]) {
      const page = await agent.get(path)
      assert.equal(page.status, 403, path)
      const api = await agent.get(path, 'application/json')
      assert.equal(api.status, 403, `${path} as JSON`)
      assert.equal(api.json.errors[0].message, 'You do not have permission to do this')
    }
    const other = await makeUser('agent')
    assert.equal((await agent.get(`/admin/users/${other.id}`)).status, 403)
    await agent.visit('/')
    const create = await agent.post('/admin/users', {
      fullName: 'X',
      email: 'x@example.test',
      role: 'admin',
      password: 'Another-long-passphrase-9',
    })
    assert.equal(create.status, 403)
    assert.isNull(await User.findBy('email', 'x@example.test'))
  })

  test('the refusal is translated for a Chinese user', async ({ assert }) => {
    const { agent } = await signedIn('agent', { locale: 'zh-CN' })
    const api = await agent.get('/admin/users', 'application/json')
    assert.equal(api.json.errors[0].message, '您没有权限执行此操作')
  })

  test("a team lead sees only their own team's users", async ({ assert }) => {
    const mine = await makeTeam()
    const theirs = await makeTeam()
    const { agent } = await signedIn('team_lead', { teamId: mine.id })
    const teammate = await makeUser('agent', { teamId: mine.id })
    const stranger = await makeUser('agent', { teamId: theirs.id })

    const list = await agent.get('/admin/users?perPage=100')
    assert.equal(list.status, 200)
    const emails = (list.page?.props.users as Array<{ email: string }>).map((u) => u.email)
    assert.include(emails, teammate.email)
    assert.notInclude(emails, stranger.email)
    assert.isTrue(emails.length > 0)

    assert.equal((await agent.get(`/admin/users/${teammate.id}`)).status, 200)
    assert.equal((await agent.get(`/admin/users/${stranger.id}`)).status, 403)
    // Nor can a lead change anyone.
    await agent.visit(`/admin/users/${teammate.id}`)
    const put = await agent.put(`/admin/users/${teammate.id}`, {
      fullName: 'Hacked',
      email: teammate.email,
      role: 'admin',
      locale: 'en',
      isDisabled: false,
    })
    assert.equal(put.status, 403)
    assert.equal((await User.findOrFail(teammate.id)).role, 'agent')
  })

  test('a supervisor reads users and the audit log but cannot change users', async ({ assert }) => {
    const { agent } = await signedIn('supervisor')
    assert.equal((await agent.get('/admin/users')).status, 200)
    assert.equal((await agent.get('/audit')).status, 200)
    assert.equal((await agent.get('/admin/roles')).status, 403)
    const target = await makeUser('agent')
    await agent.visit('/admin/users')
    assert.equal(
      (await agent.post(`/admin/users/${target.id}/lock`, { reason: 'testing' })).status,
      403
    )
  })

  test('users list pages, sorts and filters on the server', async ({ assert }) => {
    const { agent } = await signedIn('admin')
    const team = await makeTeam()
    for (let i = 0; i < 7; i++)
      await makeUser('agent', { teamId: team.id, fullName: `Zz Agent ${i}` })
    const page1 = await agent.get(
      `/admin/users?teamId=${team.id}&perPage=5&sort=full_name&order=desc`
    )
    assert.equal(page1.page?.props.meta.total, 7)
    assert.lengthOf(page1.page?.props.users, 5)
    assert.equal(page1.page?.props.users[0].fullName, 'Zz Agent 6')
    const page2 = await agent.get(
      `/admin/users?teamId=${team.id}&perPage=5&page=2&sort=full_name&order=desc`
    )
    assert.lengthOf(page2.page?.props.users, 2)
    const bad = await agent.get('/admin/users?sort=password', 'application/json')
    assert.equal(bad.status, 422)
  })

  test('an admin creates a user; a weak or common password is refused and nothing is created', async ({
    assert,
  }) => {
    const { user: admin, secret } = await makeUserWithMfa('admin')
    const agent = new HttpAgent()
    await agent.signIn(admin.email, PASSWORD)
    await agent.visit('/sign-in/mfa')
    await agent.post('/sign-in/mfa', { code: totpCode(secret) })
    await agent.visit('/admin/users')

    await agent.post('/admin/users', {
      fullName: '新坐席',
      email: 'new.agent@example.test',
      role: 'agent',
      password: 'password1234',
    })
    const errors = (await agent.get('/admin/users')).page?.props.errors
    assert.equal(errors.password, 'This password is too common and easy to guess; choose another')
    assert.isNull(await User.findBy('email', 'new.agent@example.test'))

    await agent.post('/admin/users', {
      fullName: '新坐席',
      email: 'new.agent@example.test',
      role: 'agent',
      password: 'short',
    })
    assert.match((await agent.get('/admin/users')).page?.props.errors.password, /at least 12/)

    const ok = await agent.post('/admin/users', {
      fullName: '新坐席',
      email: 'New.Agent@example.test',
      role: 'agent',
      password: 'Blue-lantern-harbour-77',
    })
    assert.equal(ok.location, '/admin/users')
    const created = await User.findByOrFail('email', 'new.agent@example.test')
    assert.notEqual(created.password, 'Blue-lantern-harbour-77')
    assert.match(created.password, /^\$argon2id\$/)
    const entry = await AuditLog.query()
      .where('action', 'user.created')
      .where('target_id', String(created.id))
      .firstOrFail()
    assert.equal(entry.actorId, admin.id)
    assert.notInclude(entry.after ?? '', 'Blue-lantern')
  })

  test('an admin changes a role: audited with before and after; the last admin cannot be demoted', async ({
    assert,
  }) => {
    const { user: admin, agent } = await signedIn('admin')
    await User.query()
      .where('role', 'admin')
      .whereNot('id', admin.id)
      .update({ role: 'supervisor' })
    const target = await makeUser('agent')
    await agent.visit(`/admin/users/${target.id}`)
    await agent.put(`/admin/users/${target.id}`, {
      fullName: target.fullName,
      email: target.email,
      role: 'supervisor',
      locale: 'en',
      isDisabled: false,
    })
    const entry = await AuditLog.query()
      .where('action', 'user.role_changed')
      .where('target_id', String(target.id))
      .firstOrFail()
    assert.deepEqual(JSON.parse(entry.before!), { role: 'agent' })
    assert.deepEqual(JSON.parse(entry.after!), { role: 'supervisor' })

    await agent.visit(`/admin/users/${admin.id}`)
    await agent.put(`/admin/users/${admin.id}`, {
      fullName: admin.fullName,
      email: admin.email,
      role: 'agent',
      locale: 'en',
      isDisabled: false,
    })
    assert.equal((await User.findOrFail(admin.id)).role, 'admin')
  })
})
