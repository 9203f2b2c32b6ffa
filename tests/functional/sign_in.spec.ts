import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import AuditLog from '#models/audit_log'
import { HttpAgent } from '#tests/helpers/http_agent'
import { makeUser, PASSWORD, setMfaRequired } from '#tests/helpers/accounts'
import { SIGN_IN_LIMITS } from '#start/limiter'

test.group('Sign-in', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.setup(() =>
    setMfaRequired({ admin: false, supervisor: false, team_lead: false, agent: false })
  )

  test('an agent signs in with the right password and reaches the dashboard', async ({
    assert,
  }) => {
    const user = await makeUser('agent')
    const agent = new HttpAgent()
    const res = await agent.signIn(user.email, PASSWORD)
    assert.equal(res.status, 302)
    assert.equal(res.location, '/')
    const home = await agent.get('/')
    assert.equal(home.status, 200)
    assert.equal(home.page?.component, 'dashboard')
    assert.equal(home.page?.props.auth.email, user.email)
    const entry = await AuditLog.query()
      .where('action', 'auth.sign_in')
      .where('target_id', String(user.id))
      .first()
    assert.isNotNull(entry)
  })

  test('a wrong password is refused with a translated error and changes nothing', async ({
    assert,
  }) => {
    const user = await makeUser('agent')
    const agent = new HttpAgent()
    agent.cookies.set('ringdesk_locale', 'zh-CN')
    const res = await agent.signIn(user.email, 'not-the-password-at-all')
    assert.equal(res.status, 302)
    const page = await agent.get('/sign-in')
    assert.equal(page.page?.props.errors.email, '邮箱或密码不正确')
    assert.equal((await agent.get('/')).status, 302)
    await user.refresh()
    assert.isNull(user.lastSignInAt)
    assert.isNotNull(
      await AuditLog.query()
        .where('action', 'auth.sign_in_failed')
        .where('target_label', user.email)
        .first()
    )
  })

  test('invalid input gets field errors in the chosen language', async ({ assert }) => {
    const agent = new HttpAgent()
    await agent.visit('/sign-in')
    await agent.post('/locale', { locale: 'zh-CN' })
    await agent.post('/sign-in', { email: 'not-an-email', password: '' })
    const page = await agent.get('/sign-in')
    assert.equal(page.page?.props.errors.email, '请输入有效的邮箱地址')
    assert.equal(page.page?.props.errors.password, '请填写密码')
  })

  test('an account is locked out after too many wrong passwords, even with the right one', async ({
    assert,
  }) => {
    const user = await makeUser('agent')
    const agent = new HttpAgent('lockout-test', '10.9.9.1')
    for (let i = 0; i < SIGN_IN_LIMITS.account.requests; i++) {
      await agent.signIn(user.email, `wrong-password-${i}`)
    }
    const res = await agent.signIn(user.email, PASSWORD)
    assert.equal(res.status, 302)
    const page = await agent.get('/sign-in')
    assert.match(
      page.page?.props.errors.email,
      /Too many failed attempts\. Try again in \d+ minute/
    )
    assert.equal((await agent.get('/')).status, 302, 'not signed in')
    assert.isNotNull(
      await AuditLog.query()
        .where('action', 'auth.locked_out')
        .where('target_label', user.email.toLowerCase())
        .first()
    )
    assert.isNotNull(await AuditLog.query().where('action', 'auth.sign_in_blocked').first())
  })

  test('one IP guessing many accounts is throttled', async ({ assert }) => {
    const agent = new HttpAgent('ip-test', '10.9.9.2')
    for (let i = 0; i < SIGN_IN_LIMITS.ip.requests; i++) {
      await agent.signIn(`nobody${i}@example.test`, 'whatever-password')
    }
    const user = await makeUser('agent')
    await agent.signIn(user.email, PASSWORD)
    const page = await agent.get('/sign-in')
    assert.match(page.page?.props.errors.email, /Too many failed attempts/)
    // Another address is not affected.
    const other = new HttpAgent('ip-test', '10.9.9.3')
    assert.equal((await other.signIn(user.email, PASSWORD)).location, '/')
  })

  test('a disabled or locked account cannot sign in', async ({ assert }) => {
    const disabled = await makeUser('agent', { isDisabled: true })
    const agent = new HttpAgent()
    await agent.signIn(disabled.email, PASSWORD)
    assert.match((await agent.get('/sign-in')).page?.props.errors.email, /disabled/)
  })

  test('CSRF is enforced: a form post without the token is refused', async ({ assert }) => {
    const user = await makeUser('agent')
    const agent = new HttpAgent()
    await agent.visit('/sign-in')
    const res = await agent.post('/sign-in', { email: user.email, password: PASSWORD }, false)
    assert.equal(res.status, 302)
    assert.equal(res.location, agent.lastPage)
    const page = await agent.get('/sign-in')
    assert.equal(page.page?.props.errors.form, 'The page expired. Reload it and try again.')
    assert.equal((await agent.get('/')).status, 302, 'still signed out')
    assert.isNull((await user.refresh()).lastSignInAt)
  })
})

test.group('Browser-side defences', () => {
  test('pages are sent with CSP, frame denial and no-sniff headers', async ({ assert }) => {
    const res = await new HttpAgent().get('/sign-in')
    const csp = res.headers.get('content-security-policy') ?? ''
    assert.include(csp, "default-src 'self'")
    assert.include(csp, "frame-ancestors 'none'")
    assert.include(csp, "object-src 'none'")
    assert.equal(res.headers.get('x-frame-options'), 'DENY')
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff')
  })

  test('the session cookie is HTTP-only', async ({ assert }) => {
    const agent = new HttpAgent()
    const res = await agent.get('/sign-in')
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('ringdesk_session='))
    assert.exists(cookie)
    assert.match(cookie!, /HttpOnly/i)
    assert.match(cookie!, /SameSite=Lax/i)
  })
})
