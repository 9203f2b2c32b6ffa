import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import AuditLog from '#models/audit_log'
import Team from '#models/team'
import User from '#models/user'
import settings from '#services/settings_service'
import { HttpAgent } from '#tests/helpers/http_agent'
import { makeTeam, makeUser, PASSWORD, setMfaRequired } from '#tests/helpers/accounts'

test.group('Account and administration', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.setup(() =>
    setMfaRequired({ admin: false, supervisor: false, team_lead: false, agent: false })
  )

  test('changing the password needs the current one, refuses common ones and ends other sessions', async ({
    assert,
  }) => {
    const user = await makeUser('agent')
    await settings.saveSecurity({ ...(await settings.security()), singleSession: false })
    const here = new HttpAgent('here', '10.6.0.1')
    const there = new HttpAgent('there', '10.6.0.2')
    await here.signIn(user.email, PASSWORD)
    await there.signIn(user.email, PASSWORD)
    await here.visit('/account/password')

    await here.put('/account/password', {
      currentPassword: 'wrong-password-here',
      newPassword: 'Fresh-harbour-lights-31',
      newPasswordConfirmation: 'Fresh-harbour-lights-31',
    })
    assert.equal(
      (await here.get('/account/password')).page?.props.errors.currentPassword,
      'The current password is incorrect'
    )

    await here.put('/account/password', {
      currentPassword: PASSWORD,
      newPassword: 'iloveyou123456',
      newPasswordConfirmation: 'iloveyou123456',
    })
    assert.match((await here.get('/account/password')).page?.props.errors.newPassword, /too common/)
    assert.isTrue(await (await User.findOrFail(user.id)).verifyPassword(PASSWORD))

    await here.put('/account/password', {
      currentPassword: PASSWORD,
      newPassword: 'Fresh-harbour-lights-31',
      newPasswordConfirmation: 'Fresh-harbour-lights-31',
    })
    assert.isTrue(await (await User.findOrFail(user.id)).verifyPassword('Fresh-harbour-lights-31'))
    assert.equal((await here.get('/')).status, 200, 'this session stays')
    assert.equal((await there.get('/')).location, '/sign-in')
    assert.equal((await there.get('/sign-in')).page?.flash?.sessionEnded, 'password_changed')
    assert.isNotNull(
      await AuditLog.query()
        .where('action', 'account.password_changed')
        .where('actor_id', user.id)
        .first()
    )
  })

  test('an admin creates, renames and deletes a team; a team with members cannot be deleted', async ({
    assert,
  }) => {
    const admin = await makeUser('admin')
    const agent = new HttpAgent()
    await agent.signIn(admin.email, PASSWORD)
    await agent.visit('/admin/teams')
    await agent.post('/admin/teams', { name: '售后三组', description: 'After-sales' })
    const team = await Team.findByOrFail('name', '售后三组')

    await agent.post('/admin/teams', { name: '售后三组' })
    assert.equal(
      (await agent.get('/admin/teams')).page?.props.errors.name,
      'This Team name is already taken'
    )

    await agent.put(`/admin/teams/${team.id}`, { name: '售后四组' })
    assert.equal((await team.refresh()).name, '售后四组')

    await makeUser('agent', { teamId: team.id })
    await agent.delete(`/admin/teams/${team.id}`)
    assert.exists(await Team.find(team.id))
    assert.equal(
      (await agent.get('/admin/teams')).page?.props.errors.team,
      "Move the team's members to another team before deleting it"
    )

    const empty = await makeTeam()
    await agent.delete(`/admin/teams/${empty.id}`)
    assert.isNull(await Team.find(empty.id))
    const actions = (await AuditLog.query().where('target_type', 'team').orderBy('id')).map(
      (a) => a.action
    )
    assert.includeMembers(actions, ['team.created', 'team.updated', 'team.deleted'])
  })

  test('an admin changes the security settings; the change is audited and applies at once', async ({
    assert,
  }) => {
    const admin = await makeUser('admin')
    const agent = new HttpAgent()
    await agent.signIn(admin.email, PASSWORD)
    await agent.visit('/admin/roles')
    await agent.put('/admin/roles', {
      mfaRequired: { admin: false, supervisor: true, team_lead: true, agent: false },
      singleSession: false,
      idleTimeoutMinutes: 10,
      absoluteTimeoutHours: 8,
    })
    const saved = await settings.security()
    assert.isTrue(saved.mfaRequired.team_lead)
    assert.equal(saved.idleTimeoutMinutes, 10)
    const entry = await AuditLog.query().where('action', 'settings.security_changed').firstOrFail()
    assert.include(entry.after!, '"idleTimeoutMinutes":10')

    // A lead without MFA is now sent to enrolment.
    const lead = await makeUser('team_lead')
    const leadBrowser = new HttpAgent('lead', '10.6.1.1')
    await leadBrowser.signIn(lead.email, PASSWORD)
    assert.equal((await leadBrowser.get('/')).location, '/account/mfa')

    await agent.put('/admin/roles', {
      mfaRequired: { admin: false, supervisor: true, team_lead: true, agent: false },
      singleSession: true,
      idleTimeoutMinutes: 1,
      absoluteTimeoutHours: 8,
    })
    assert.equal(
      (await agent.get('/admin/roles')).page?.props.errors.idleTimeoutMinutes,
      'Idle timeout must be between 5 and 1440'
    )
    assert.isFalse((await settings.security()).singleSession, 'a rejected change changes nothing')
  })
})
