import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import env from '#start/env'
import AgentDevice from '#models/agent_device'
import Call from '#models/call'
import CallCommand from '#models/call_command'
import type User from '#models/user'
import { sqlTime } from '#services/db_time'
import { makeUser, PASSWORD, setMfaRequired } from '#tests/helpers/accounts'

const base = `http://${env.get('HOST')}:${env.get('PORT')}`

async function givePhone(user: User) {
  const device = new AgentDevice()
  device.fill({
    userId: user.id,
    endpoint: `bc${user.id}${Date.now() % 100000}`,
    transport: 'udp',
    lastRegisteredAt: null,
    lastContact: null,
    lastUserAgent: null,
    lastIp: null,
    staticContact: null,
  })
  device.setSipPassword('phone-secret-1234')
  await device.save()
}

async function talking(agent: User, callerNumber: string) {
  const startedAt = DateTime.utc().minus({ minutes: 1 })
  return Call.create({
    uuid: randomUUID(),
    direction: 'inbound',
    did: '4008001000',
    callerNumber,
    callerName: null,
    customerId: null,
    startedAt,
    answeredAt: startedAt.plus({ seconds: 10 }),
    endedAt: null,
    endCause: null,
    routeId: null,
    ivrFlowId: null,
    ivrFlowVersion: null,
    queueId: null,
    agentId: agent.id,
    waitSeconds: 10,
    talkSeconds: 0,
    holdSeconds: 0,
    wrapUpSeconds: 0,
    transferred: false,
    abandoned: false,
    hasRecording: false,
    state: 'bridged',
  })
}

/**
 * Plays the telephony worker for one call until stopped: hold → held, unhold → resumed,
 * transfer → transferred (and the call rings elsewhere, as the real one does).
 */
function fakeWorker(call: Call) {
  let running = true
  const loop = (async () => {
    while (running) {
      const row = await db
        .from('call_commands')
        .where('call_uuid', call.uuid)
        .where('status', 'pending')
        .first()
      if (row) {
        const result = { hold: 'held', unhold: 'resumed', transfer: 'transferred' }[
          row.kind as string
        ]
        if (row.kind === 'transfer') {
          await db.from('calls').where('id', call.id).update({ state: 'ringing', agent_id: null })
        }
        await db
          .from('call_commands')
          .where('id', row.id)
          .update({ status: 'done', result, handled_at: sqlTime(DateTime.utc()) })
      }
      await sleep(50)
    }
  })()
  return async () => {
    running = false
    await loop
  }
}

async function signIn(visit: any, user: User) {
  const page = await visit(`${base}/sign-in`)
  await page.getByTestId('email').fill(user.email)
  await page.getByTestId('password').fill(PASSWORD)
  await page.getByTestId('sign-in-submit').click()
  await page.getByTestId('welcome').waitFor()
  return page
}

test.group('Browser: hold and transfer from the web', (group) => {
  group.each.setup(() =>
    setMfaRequired({ admin: false, supervisor: false, team_lead: false, agent: false })
  )

  test('a supervisor holds, resumes and transfers a live call to an agent from the call page', async ({
    visit,
    assert,
  }) => {
    const supervisor = await makeUser('supervisor')
    const onCall = await makeUser('agent')
    const colleague = await makeUser('agent')
    await givePhone(colleague)
    const call = await talking(onCall, '13900139001')
    const stop = fakeWorker(call)
    try {
      const page = await signIn(visit, supervisor)
      await page.goto(`${base}/calls/${call.uuid}`)
      const controls = page.getByTestId('call-controls')
      await controls.getByTestId('call-control-state').filter({ hasText: 'Talking' }).waitFor()

      await page.getByTestId('call-hold').click()
      await page
        .getByTestId('call-control-outcome')
        .filter({ hasText: 'The caller is on hold and hears music' })
        .waitFor()
      await controls.getByTestId('call-control-state').filter({ hasText: 'On hold' }).waitFor()
      await page.getByTestId('call-resume').click()
      await page
        .getByTestId('call-control-outcome')
        .filter({ hasText: 'The caller is back in the conversation' })
        .waitFor()

      await page.getByTestId('call-transfer').click()
      const dialog = page.getByRole('dialog', { name: 'Transfer the call' })
      await dialog.getByRole('tab', { name: 'Agent' }).click()
      await dialog.getByTestId('transfer-agent').click()
      await page.getByRole('option', { name: colleague.fullName }).click()
      await dialog.getByTestId('transfer-send').click()
      // The call moved on: the page reloads without the controls.
      await controls.waitFor({ state: 'detached' })

      const kinds = await CallCommand.query().where('call_uuid', call.uuid).orderBy('id')
      assert.deepEqual(
        kinds.map((c) => [c.kind, c.result]),
        [
          ['hold', 'held'],
          ['unhold', 'resumed'],
          ['transfer', 'transferred'],
        ]
      )
      assert.deepEqual(kinds[2].payload, { type: 'agent', agentId: colleague.id })
    } finally {
      await stop()
    }
  })

  test('a Chinese-speaking agent puts their own caller on hold from My status', async ({
    visit,
    assert,
  }) => {
    const agent = await makeUser('agent', { locale: 'zh-CN' })
    await givePhone(agent)
    const page = await signIn(visit, agent)
    await page.goto(`${base}/my-status`)
    await page.getByTestId('my-state').waitFor()
    assert.equal(await page.getByTestId('my-live-call').count(), 0)

    const call = await talking(agent, '13900139002')
    const stop = fakeWorker(call)
    try {
      // The page asks every few seconds; a reload asks at once.
      await page.reload()
      const card = page.getByTestId('my-live-call')
      await card.getByTestId('my-live-caller').filter({ hasText: '13900139002' }).waitFor()
      await card.getByTestId('call-control-state').filter({ hasText: '通话中' }).waitFor()
      await card.getByTestId('call-hold').filter({ hasText: '保持' }).click()
      await card
        .getByTestId('call-control-outcome')
        .filter({ hasText: '已保持，来电者正在听等待音乐' })
        .waitFor()
      await card.getByTestId('call-control-state').filter({ hasText: '保持中' }).waitFor()

      await card.getByTestId('call-transfer').click()
      const dialog = page.getByRole('dialog', { name: '转接通话' })
      await dialog.getByRole('tab', { name: '外线号码' }).click()
      const number = dialog.getByTestId('transfer-number')
      if (await number.isEnabled()) {
        await number.fill('12ab')
        await dialog.getByTestId('transfer-send').click()
        await dialog.getByText('外线号码：请输入 2 到 20 位数字，可以 + 开头').waitFor()
      } else {
        await dialog.getByText('未配置外线中继，无法拨打外线号码。').waitFor()
      }
      assert.lengthOf(
        await CallCommand.query().where('call_uuid', call.uuid).where('kind', 'transfer'),
        0
      )
    } finally {
      await stop()
    }
  })
})
