import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { DateTime } from 'luxon'
import AuditLog from '#models/audit_log'
import UserSession from '#models/user_session'
import { HttpAgent } from '#tests/helpers/http_agent'
import {
  makeUser,
  makeUserWithMfa,
  PASSWORD,
  setMfaRequired,
  totpCode,
} from '#tests/helpers/accounts'

test.group('Sessions', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.setup(() =>
    setMfaRequired({ admin: false, supervisor: false, team_lead: false, agent: false })
  )

  test('signing in elsewhere ends the older session and that browser is told why', async ({
    assert,
  }) => {
    const user = await makeUser('agent')
    const laptop = new HttpAgent('Mozilla/5.0 (Windows NT 10.0) Chrome/156.0', '10.2.0.1')
    const phone = new HttpAgent('Mozilla/5.0 (Linux; Android 14) Chrome/156.0', '10.2.0.2')
    await laptop.signIn(user.email, PASSWORD)
    assert.equal((await laptop.get('/')).status, 200)
    await phone.signIn(user.email, PASSWORD)

    const kicked = await laptop.get('/')
    assert.equal(kicked.location, '/sign-in')
    const signIn = await laptop.get('/sign-in')
    assert.equal(signIn.page?.flash?.sessionEnded, 'signed_in_elsewhere')
    assert.equal((await phone.get('/')).status, 200)
    assert.isNotNull(
      await AuditLog.query()
        .where('action', 'session.ended_by_new_sign_in')
        .where('actor_id', user.id)
        .first()
    )
  })

  test('a user lists their sessions and a revoked session is dead on its next request', async ({
    assert,
  }) => {
    const user = await makeUser('agent')
    await setMfaRequired({ agent: false })
    const { default: settings } = await import('#services/settings_service')
    await settings.saveSecurity({ ...(await settings.security()), singleSession: false })
    const a = new HttpAgent('Mozilla/5.0 (Macintosh; Mac OS X 14) Safari/605.1', '10.3.0.1')
    const b = new HttpAgent('Mozilla/5.0 (Windows NT 10.0) Edg/156.0', '10.3.0.2')
    await a.signIn(user.email, PASSWORD)
    await b.signIn(user.email, PASSWORD)
    const list = await a.get('/account/sessions')
    const sessions = list.page?.props.sessions as Array<{
      id: number
      device: string
      ipAddress: string
      current: boolean
      endedAt: string | null
    }>
    assert.lengthOf(
      sessions.filter((s) => !s.endedAt),
      2
    )
    const other = sessions.find((s) => !s.current)!
    assert.equal(other.device, 'Edge on Windows')
    assert.equal(other.ipAddress, '10.3.0.2')

    await a.delete(`/account/sessions/${other.id}`)
    assert.equal((await b.get('/')).location, '/sign-in')
    assert.equal((await b.get('/sign-in')).page?.flash?.sessionEnded, 'revoked')
    assert.equal((await a.get('/')).status, 200, 'the revoking session lives on')
    assert.isNotNull(await AuditLog.query().where('action', 'session.revoked').first())
  })

  test("a user cannot revoke another user's session", async ({ assert }) => {
    const alice = await makeUser('agent')
    const bob = await makeUser('agent')
    const a = new HttpAgent()
    const b = new HttpAgent('other', '10.4.0.2')
    await a.signIn(alice.email, PASSWORD)
    await b.signIn(bob.email, PASSWORD)
    const bobsRow = await UserSession.query().where('user_id', bob.id).firstOrFail()
    await a.delete(`/account/sessions/${bobsRow.id}`)
    assert.equal((await b.get('/')).status, 200)
  })

  test('an idle session expires after the configured idle timeout', async ({ assert }) => {
    const user = await makeUser('agent')
    const agent = new HttpAgent()
    await agent.signIn(user.email, PASSWORD)
    const row = await UserSession.query().where('user_id', user.id).firstOrFail()
    row.lastSeenAt = DateTime.utc().minus({ minutes: 31 })
    await row.save()
    assert.equal((await agent.get('/')).location, '/sign-in')
    assert.equal((await agent.get('/sign-in')).page?.flash?.sessionEnded, 'idle_timeout')
  })

  test('a session ends after the absolute limit even when active', async ({ assert }) => {
    const user = await makeUser('agent')
    const agent = new HttpAgent()
    await agent.signIn(user.email, PASSWORD)
    const row = await UserSession.query().where('user_id', user.id).firstOrFail()
    row.createdAt = DateTime.utc().minus({ hours: 12, minutes: 1 })
    await row.save()
    assert.equal((await agent.get('/')).location, '/sign-in')
    assert.equal((await agent.get('/sign-in')).page?.flash?.sessionEnded, 'expired')
  })

  test("an admin locks a lost device's account: all its sessions end and it cannot sign in", async ({
    assert,
  }) => {
    const { user: admin, secret } = await makeUserWithMfa('admin')
    const victim = await makeUser('agent')
    const victimBrowser = new HttpAgent('lost phone', '10.5.0.9')
    await victimBrowser.signIn(victim.email, PASSWORD)
    const adminBrowser = new HttpAgent()
    await adminBrowser.signIn(admin.email, PASSWORD)
    await adminBrowser.visit('/sign-in/mfa')
    await adminBrowser.post('/sign-in/mfa', { code: totpCode(secret) })
    await adminBrowser.visit(`/admin/users/${victim.id}`)
    await adminBrowser.post(`/admin/users/${victim.id}/lock`, { reason: 'Phone stolen' })

    assert.equal((await victimBrowser.get('/')).location, '/sign-in')
    assert.equal((await victimBrowser.get('/sign-in')).page?.flash?.sessionEnded, 'account_locked')
    await victimBrowser.signIn(victim.email, PASSWORD)
    assert.match((await victimBrowser.get('/sign-in')).page?.props.errors.email, /locked/)
    const entry = await AuditLog.query()
      .where('action', 'user.locked')
      .where('target_id', String(victim.id))
      .firstOrFail()
    assert.equal(entry.actorId, admin.id)
    assert.include(entry.after!, 'Phone stolen')
  })
})
