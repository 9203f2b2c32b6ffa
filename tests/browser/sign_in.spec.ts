import { test } from '@japa/runner'
import env from '#start/env'
import AuditLog from '#models/audit_log'
import { makeUserWithMfa, PASSWORD, setMfaRequired, totpCode } from '#tests/helpers/accounts'

const base = `http://${env.get('HOST')}:${env.get('PORT')}`

test.group('Browser: sign-in and the shell', (group) => {
  group.each.setup(() =>
    setMfaRequired({ admin: true, supervisor: true, team_lead: false, agent: false })
  )

  test('an admin signs in with password and TOTP, switches to Chinese and sees the translated shell', async ({
    visit,
    assert,
  }) => {
    const { user, secret } = await makeUserWithMfa('admin', { locale: 'en' })
    const page = await visit(`${base}/sign-in`)

    await page.getByTestId('email').fill(user.email)
    await page.getByTestId('password').fill(PASSWORD)
    await page.getByTestId('sign-in-submit').click()

    await page.waitForURL(`${base}/sign-in/mfa`)
    await page.getByTestId('totp-code').fill(totpCode(secret))
    await page.getByTestId('mfa-submit').click()

    await page.waitForURL(`${base}/`)
    await page.getByTestId('welcome').waitFor()
    assert.include(await page.getByTestId('welcome').innerText(), user.fullName)
    assert.equal(await page.getByTestId('nav-users').innerText(), 'Users')
    assert.equal(await page.getByTestId('nav-audit').innerText(), 'Audit log')

    await page.getByTestId('lang-zh-CN').click()
    await page.getByTestId('nav-users').filter({ hasText: '用户' }).waitFor()
    assert.include(await page.getByTestId('nav-audit').innerText(), '审计日志')
    assert.include(await page.getByTestId('nav-dashboard').innerText(), '首页')

    // The choice is saved on the account: a fresh page load stays in Chinese.
    await page.reload()
    await page.getByTestId('nav-audit').filter({ hasText: '审计日志' }).waitFor()
    await user.refresh()
    assert.equal(user.locale, 'zh-CN')
    assert.isNotNull(
      await AuditLog.query()
        .where('action', 'auth.sign_in')
        .where('target_id', String(user.id))
        .first()
    )
  })

  test('an agent does not see admin navigation, and the server refuses the page anyway', async ({
    visit,
    assert,
  }) => {
    await setMfaRequired({ agent: false })
    const { makeUser } = await import('#tests/helpers/accounts')
    const agent = await makeUser('agent')
    const page = await visit(`${base}/sign-in`)
    await page.getByTestId('email').fill(agent.email)
    await page.getByTestId('password').fill(PASSWORD)
    await page.getByTestId('sign-in-submit').click()
    await page.getByTestId('welcome').waitFor()
    assert.equal(await page.getByTestId('nav-users').count(), 0)
    assert.equal(await page.getByTestId('nav-audit').count(), 0)
    await page.goto(`${base}/admin/users`)
    await page.getByTestId('error-status').waitFor()
    assert.include(await page.getByTestId('error-status').innerText(), '403')
  })
})
