import { test } from '@japa/runner'
import env from '#start/env'
import AgentState from '#models/agent_state'
import BreakReason from '#models/break_reason'
import { makeUser, PASSWORD, setMfaRequired } from '#tests/helpers/accounts'

const base = `http://${env.get('HOST')}:${env.get('PORT')}`

test.group("Browser: an agent's status", (group) => {
  group.each.setup(() =>
    setMfaRequired({ admin: false, supervisor: false, team_lead: false, agent: false })
  )

  test('a Chinese-speaking agent takes a training break from My status', async ({
    visit,
    assert,
  }) => {
    const agent = await makeUser('agent', { locale: 'zh-CN' })
    const suffix = Date.now() % 100000
    const reason = await BreakReason.create({
      code: `training_${suffix}`,
      dialCode: null,
      nameEn: `Training ${suffix}`,
      nameZhCn: `培训 ${suffix}`,
      active: true,
    })

    const page = await visit(`${base}/sign-in`)
    await page.getByTestId('email').fill(agent.email)
    await page.getByTestId('password').fill(PASSWORD)
    await page.getByTestId('sign-in-submit').click()
    await page.getByTestId('welcome').waitFor()

    await page.getByTestId('nav-my-status').filter({ hasText: '我的状态' }).click()
    await page.waitForURL(`${base}/my-status`)
    await page.getByTestId('my-state').filter({ hasText: '离线' }).waitFor()
    assert.include(await page.getByTestId('feature-codes').innerText(), '*21')

    await page.getByTestId('break-reason').click()
    await page.getByRole('option', { name: `培训 ${suffix}` }).click()
    await page.getByTestId('set-break').click()

    await page.getByTestId('my-state').filter({ hasText: '小休' }).waitFor()
    assert.include(await page.getByTestId('my-reason').innerText(), `培训 ${suffix}`)
    const state = await AgentState.findOrFail(agent.id)
    assert.equal(state.state, 'break')
    assert.equal(state.reason, reason.code)

    await page.getByTestId('set-available').click()
    await page.getByTestId('my-state').filter({ hasText: '空闲' }).waitFor()
    assert.equal((await AgentState.findOrFail(agent.id)).state, 'available')
  })
})
