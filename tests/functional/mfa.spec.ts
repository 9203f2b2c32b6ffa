import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import AuditLog from '#models/audit_log'
import User from '#models/user'
import totp from '#services/totp_service'
import { HttpAgent } from '#tests/helpers/http_agent'
import {
  makeUser,
  makeUserWithMfa,
  PASSWORD,
  setMfaRequired,
  totpCode,
} from '#tests/helpers/accounts'

test.group('Two-step sign-in (TOTP)', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.setup(() =>
    setMfaRequired({ admin: true, supervisor: true, team_lead: false, agent: false })
  )

  test('a user with TOTP needs the code after the password', async ({ assert }) => {
    const { user, secret } = await makeUserWithMfa('agent')
    const agent = new HttpAgent()
    const res = await agent.signIn(user.email, PASSWORD)
    assert.equal(res.location, '/sign-in/mfa')
    assert.equal((await agent.get('/')).status, 302, 'not signed in yet')
    await agent.visit('/sign-in/mfa')
    const verified = await agent.post('/sign-in/mfa', { code: totpCode(secret) })
    assert.equal(verified.location, '/')
    assert.equal((await agent.get('/')).page?.component, 'dashboard')
  })

  test('a code from one time-step ago is accepted (clock drift), two steps ago is not', async ({
    assert,
  }) => {
    const { user, secret } = await makeUserWithMfa('agent')
    const old = new HttpAgent()
    await old.signIn(user.email, PASSWORD)
    await old.visit('/sign-in/mfa')
    await old.post('/sign-in/mfa', { code: totpCode(secret, -3) })
    assert.equal(
      (await old.get('/sign-in/mfa')).page?.props.errors.code,
      "The code is not valid. Check your authenticator app's time and try again."
    )

    const drift = new HttpAgent()
    await drift.signIn(user.email, PASSWORD)
    await drift.visit('/sign-in/mfa')
    assert.equal((await drift.post('/sign-in/mfa', { code: totpCode(secret, -1) })).location, '/')
  })

  test('a TOTP code is accepted once only: a replay is rejected and audited', async ({
    assert,
  }) => {
    const { user, secret } = await makeUserWithMfa('agent')
    const code = totpCode(secret)
    const first = new HttpAgent()
    await first.signIn(user.email, PASSWORD)
    await first.visit('/sign-in/mfa')
    assert.equal((await first.post('/sign-in/mfa', { code })).location, '/')

    const attacker = new HttpAgent('attacker', '10.1.1.1')
    await attacker.signIn(user.email, PASSWORD)
    await attacker.visit('/sign-in/mfa')
    await attacker.post('/sign-in/mfa', { code })
    const page = await attacker.get('/sign-in/mfa')
    assert.equal(
      page.page?.props.errors.code,
      'This code was already used. Wait for the next code.'
    )
    assert.equal((await attacker.get('/')).status, 302)
    const replay = await AuditLog.query()
      .where('action', 'auth.totp_replay_rejected')
      .where('target_id', String(user.id))
      .first()
    assert.isNotNull(replay)
    assert.equal(replay!.ipAddress, '10.1.1.1')
  })

  test('a recovery code works once', async ({ assert }) => {
    const { user, secret } = await makeUserWithMfa('agent')
    // Enrol-style: issue codes through the same service the enrolment uses.
    const codes = totp.newRecoveryCodes()
    await user
      .related('recoveryCodes')
      .createMany(codes.map((c) => ({ codeHash: totp.hashRecoveryCode(c) })))
    void secret

    const agent = new HttpAgent()
    await agent.signIn(user.email, PASSWORD)
    await agent.visit('/sign-in/mfa')
    assert.equal(
      (await agent.post('/sign-in/mfa', { recoveryCode: codes[3].toLowerCase() })).location,
      '/'
    )

    const again = new HttpAgent('again', '10.1.1.2')
    await again.signIn(user.email, PASSWORD)
    await again.visit('/sign-in/mfa')
    await again.post('/sign-in/mfa', { recoveryCode: codes[3] })
    assert.equal(
      (await again.get('/sign-in/mfa')).page?.props.errors.recoveryCode,
      'This recovery code is not valid or was already used'
    )
    assert.equal((await again.get('/')).status, 302)
    assert.isNotNull(await AuditLog.query().where('action', 'auth.recovery_code_used').first())
  })

  test('an admin without MFA is sent to enrolment and can do nothing else until enrolled', async ({
    assert,
  }) => {
    const admin = await makeUser('admin')
    const agent = new HttpAgent()
    await agent.signIn(admin.email, PASSWORD)
    const users = await agent.get('/admin/users')
    assert.equal(users.location, '/account/mfa')
    const page = await agent.get('/account/mfa')
    assert.equal(page.page?.component, 'account/mfa')
    assert.isTrue(page.page?.props.required)
    assert.match(page.page?.props.enrolment.qrDataUrl, /^data:image\/png;base64,/)
    const secret: string = page.page?.props.enrolment.secret

    await agent.post('/account/mfa', { code: '000000' === totpCode(secret) ? '111111' : '000000' })
    assert.equal(
      (await agent.get('/account/mfa')).page?.props.errors.code,
      "The code is not valid. Check your authenticator app's time and try again."
    )

    const confirmed = await agent.post('/account/mfa', { code: totpCode(secret) })
    assert.equal(confirmed.location, '/account/mfa')
    const done = await agent.get('/account/mfa')
    assert.isTrue(done.page?.props.mfaEnabled)
    assert.lengthOf(done.page?.props.newRecoveryCodes, 10)
    const reloaded = await User.findOrFail(admin.id)
    assert.isTrue(reloaded.mfaEnabled)
    assert.notInclude(reloaded.totpSecret!, secret, 'secret is encrypted at rest')
    assert.equal((await agent.get('/admin/users')).status, 200)
    assert.isNotNull(
      await AuditLog.query()
        .where('action', 'mfa.enabled')
        .where('target_id', String(admin.id))
        .first()
    )
  })
})
