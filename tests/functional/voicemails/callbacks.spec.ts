import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { DateTime } from 'luxon'
import CallbackRequest from '#models/callback_request'
import Queue from '#models/queue'
import { makeUser, setMfaRequired } from '#tests/helpers/accounts'
import { auditEntries, signedIn } from '../telephony_config/support.js'

async function makeQueue(name: string) {
  return Queue.create({
    name: `${name} ${randomUUID()}`,
    strategy: 'longest_idle',
    requiredSkillId: null,
    requiredSkillLevel: 1,
    priority: 0,
    ringTimeoutSeconds: 20,
    wrapUpSeconds: 15,
    maxWaitSeconds: 300,
    overflowAction: 'callback',
    overflowTarget: null,
    announceEverySeconds: 60,
    musicOnHold: 'default',
    recordingRetentionDays: 30,
    serviceLevelSeconds: 20,
  })
}

const ids = (json: any) => json.callbacks.map((c: any) => c.id)

test.group('Callback requests', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.setup(() =>
    setMfaRequired({ admin: false, supervisor: false, team_lead: false, agent: false })
  )

  test("open requests come first, by the caller's place in the queue; filters by queue and status", async ({
    assert,
  }) => {
    const { agent } = await signedIn('supervisor')
    const sales = await makeQueue('Sales')
    const support = await makeQueue('Support')
    const agentUser = await makeUser('agent')
    const t0 = DateTime.utc().minus({ hours: 2 })
    const make = (queueId: number, minutes: number, status: 'pending' | 'done' | 'cancelled') =>
      CallbackRequest.create({
        callId: null,
        number: `1380000${String(minutes).padStart(4, '0')}`,
        queueId,
        enteredAt: t0.plus({ minutes }),
        status,
        handledBy: status === 'pending' ? null : agentUser.id,
        handledAt: status === 'pending' ? null : t0.plus({ minutes: minutes + 30 }),
      })
    const doneEarly = await make(sales.id, 1, 'done')
    const pendingLate = await make(sales.id, 20, 'pending')
    const pendingEarly = await make(support.id, 5, 'pending')
    const cancelled = await make(support.id, 2, 'cancelled')
    const pendingMid = await make(sales.id, 10, 'pending')
    // Being dialled by an agent right now: still an open request.
    const dialing = await make(support.id, 15, 'pending')
    await CallbackRequest.query().where('id', dialing.id).update({ status: 'dialing' })

    const mine = (json: any) =>
      ids(json).filter((id: number) =>
        [doneEarly, pendingLate, pendingEarly, cancelled, pendingMid, dialing].some(
          (c) => c.id === id
        )
      )
    const all = await agent.get('/callbacks', 'application/json')
    assert.equal(all.status, 200)
    assert.isTrue(all.json.canCancel)
    assert.deepEqual(mine(all.json), [
      pendingEarly.id,
      pendingMid.id,
      dialing.id,
      pendingLate.id,
      doneEarly.id,
      cancelled.id,
    ])
    const row = all.json.callbacks.find((c: any) => c.id === doneEarly.id)
    assert.deepEqual(row.handledBy, { id: agentUser.id, fullName: agentUser.fullName })
    assert.equal(row.queue.name, sales.name)

    const salesOnly = await agent.get(`/callbacks?queueId=${sales.id}`, 'application/json')
    assert.deepEqual(ids(salesOnly.json), [pendingMid.id, pendingLate.id, doneEarly.id])
    const pendingSales = await agent.get(
      `/callbacks?queueId=${sales.id}&status=pending&perPage=10`,
      'application/json'
    )
    assert.deepEqual(ids(pendingSales.json), [pendingMid.id, pendingLate.id])
    assert.equal(pendingSales.json.meta.total, 2)
    assert.equal((await agent.get('/callbacks?status=lost', 'application/json')).status, 422)
  })

  test('a supervisor cancels a pending request, audited; a request no longer pending stays as it is', async ({
    assert,
  }) => {
    const { user: supervisor, agent } = await signedIn('supervisor')
    const queue = await makeQueue('Sales')
    const request = await CallbackRequest.create({
      callId: null,
      number: '13912345678',
      queueId: queue.id,
      enteredAt: DateTime.utc().minus({ minutes: 15 }),
      status: 'pending',
      handledBy: null,
      handledAt: null,
    })

    const res = await agent.request('POST', `/callbacks/${request.id}/cancel`, {
      accept: 'application/json',
    })
    assert.equal(res.status, 200)
    assert.equal(res.json.callback.status, 'cancelled')
    assert.deepEqual(res.json.callback.handledBy, {
      id: supervisor.id,
      fullName: supervisor.fullName,
    })
    await request.refresh()
    assert.equal(request.status, 'cancelled')
    assert.equal(request.handledBy, supervisor.id)
    assert.isNotNull(request.handledAt)
    const [entry] = await auditEntries('callback.cancelled', request.id)
    assert.equal(entry.actorId, supervisor.id)
    assert.equal(entry.targetType, 'callback_request')
    assert.deepEqual(JSON.parse(entry.before!), { status: 'pending' })

    const again = await agent.request('POST', `/callbacks/${request.id}/cancel`, {
      accept: 'application/json',
    })
    assert.equal(again.status, 409)
    assert.equal(again.json.errors[0].message, 'This callback request is no longer pending')
    assert.lengthOf(await auditEntries('callback.cancelled', request.id), 1)

    // From the page: back to the list with a flash.
    const { agent: chinese } = await signedIn('supervisor', { locale: 'zh-CN' })
    await chinese.visit('/callbacks')
    const viaPage = await chinese.post(`/callbacks/${request.id}/cancel`)
    assert.equal(viaPage.status, 302)
    const back = await chinese.visit('/callbacks')
    assert.deepEqual(back.page?.props.errors, { callback: '此回拨请求已不是待回拨状态' })
  })

  test('agents and team leads neither see nor cancel callback requests', async ({ assert }) => {
    const request = await CallbackRequest.create({
      callId: null,
      number: '13700000000',
      queueId: null,
      enteredAt: DateTime.utc(),
      status: 'pending',
      handledBy: null,
      handledAt: null,
    })
    for (const role of ['agent', 'team_lead'] as const) {
      const { agent } = await signedIn(role)
      assert.equal((await agent.get('/callbacks', 'application/json')).status, 403, role)
      const res = await agent.request('POST', `/callbacks/${request.id}/cancel`, {
        accept: 'application/json',
      })
      assert.equal(res.status, 403, role)
    }
    await request.refresh()
    assert.equal(request.status, 'pending')
    assert.lengthOf(await auditEntries('callback.cancelled', request.id), 0)
  })
})
