import { test } from '@japa/runner'
import env from '#start/env'
import { makeTeam, makeUser, PASSWORD, setMfaRequired } from '#tests/helpers/accounts'

const base = `http://${env.get('HOST')}:${env.get('PORT')}`

/*
| The server-side lists in a real browser: searching and sorting go to the server as query
| parameters and the table shows what the server answered.
*/
test.group('Browser: server-side lists', (group) => {
  group.each.setup(() =>
    setMfaRequired({ admin: false, supervisor: false, team_lead: false, agent: false })
  )

  test('an admin searches and sorts the users list; audit, calls and skills pages render', async ({
    visit,
    assert,
  }) => {
    const admin = await makeUser('admin')
    const team = await makeTeam()
    await makeUser('agent', { fullName: 'Zhou Xunlian 周训练', teamId: team.id })
    const page = await visit(`${base}/sign-in`)
    await page.getByTestId('email').fill(admin.email)
    await page.getByTestId('password').fill(PASSWORD)
    await page.getByTestId('sign-in-submit').click()
    await page.getByTestId('welcome').waitFor()

    await page.goto(`${base}/admin/users`)
    await page.getByTestId('users-table').waitFor()
    await page.getByTestId('users-search').fill('Xunlian')
    await page.waitForURL(/search=Xunlian/)
    await page.getByTestId('users-table').getByText('Zhou Xunlian 周训练').waitFor()
    assert.equal(await page.getByTestId('users-table').locator('tbody tr').count(), 1)

    await page.getByTestId('users-search').fill('')
    await page.waitForURL((url) => !url.search.includes('search='))
    await page.getByTestId('users-table').locator('th').filter({ hasText: /Email/ }).click()
    await page.waitForURL(/sort=email/)

    await page.goto(`${base}/audit?action=auth.sign_in`)
    await page.getByTestId('audit-table').getByText(admin.email).first().waitFor()

    await page.goto(`${base}/calls`)
    await page.getByTestId('calls-table').waitFor()

    await page.goto(`${base}/telephony/skills`)
    await page.getByTestId('new-skill').waitFor()
  })
})
