import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import audit from '#services/audit_service'
import type AuditLog from '#models/audit_log'
import { verifyAuditChain } from '#services/audit_verifier'
import { HttpAgent } from '#tests/helpers/http_agent'
import { makeUser, PASSWORD, setMfaRequired } from '#tests/helpers/accounts'

async function seedEntries(n: number) {
  for (let i = 0; i < n; i++) {
    await audit.record({
      action: 'test.entry',
      actor: { id: null, label: 'tester' },
      target: { type: 'thing', id: i, label: `thing ${i}` },
      after: { i },
    })
  }
}

test.group('Audit log', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.setup(() => setMfaRequired({ admin: false, supervisor: false }))

  test('an intact chain verifies', async ({ assert }) => {
    await seedEntries(20)
    const result = await verifyAuditChain(7)
    assert.isTrue(result.ok)
    assert.isAtLeast(result.checked, 20)
  })

  test('the verifier names an edited entry', async ({ assert }) => {
    await seedEntries(10)
    const victim = await db
      .from('audit_logs')
      .where('action', 'test.entry')
      .orderBy('id')
      .offset(4)
      .firstOrFail()
    await db.from('audit_logs').where('id', victim.id).update({ after: '{"i":999}' })
    const result = await verifyAuditChain()
    assert.isFalse(result.ok)
    assert.deepEqual(result.brokenAt, { id: Number(victim.id), reason: 'edited' })
  })

  test('the verifier names the entry after a deleted one, and a deleted tail', async ({
    assert,
  }) => {
    await seedEntries(10)
    const rows = await db.from('audit_logs').where('action', 'test.entry').orderBy('id')
    await db.from('audit_logs').where('id', rows[5].id).delete()
    const middle = await verifyAuditChain()
    assert.deepEqual(middle.brokenAt, { id: Number(rows[6].id), reason: 'link_broken' })

    await db.from('audit_logs').where('id', '>=', rows[5].id).delete()
    const tail = await verifyAuditChain()
    assert.deepEqual(tail.brokenAt, { id: Number(rows[9].id), reason: 'tail_missing' })
  })

  test('the audit page filters by actor, action, target and time, pages on the server and exports CSV', async ({
    assert,
  }) => {
    const supervisor = await makeUser('supervisor')
    const agent = new HttpAgent()
    await agent.signIn(supervisor.email, PASSWORD)
    await seedEntries(30)
    await audit.record({
      action: 'user.updated',
      actor: { id: 1, label: 'boss@example.test' },
      target: { type: 'user', id: 42, label: '王芳' },
    })

    const all = await agent.get('/audit?action=test.entry&perPage=10&page=2')
    assert.equal(all.page?.props.meta.total, 30)
    assert.lengthOf(all.page?.props.entries, 10)
    const byActor = await agent.get('/audit?actor=boss')
    assert.lengthOf(byActor.page?.props.entries, 1)
    assert.equal(byActor.page?.props.entries[0].targetLabel, '王芳')
    const byTarget = await agent.get('/audit?targetType=user&targetId=42')
    assert.equal(byTarget.page?.props.meta.total, 1)
    const future = await agent.get('/audit?from=2999-01-01')
    assert.equal(future.page?.props.meta.total, 0)
    const bad = await agent.get('/audit?from=yesterday', 'application/json')
    assert.equal(bad.status, 422)

    const csv = await agent.get('/audit/export?action=test.entry')
    assert.equal(csv.status, 200)
    assert.match(csv.headers.get('content-type')!, /text\/csv/)
    const lines = csv.text.trim().split('\n')
    assert.lengthOf(lines, 31)
    assert.include(lines[0], 'actor')
    const exported = await db.from('audit_logs').where('action', 'audit.exported').first()
    assert.isNotNull(exported, 'the export itself is audited')
  })
})

/*
| Real separate transactions (no global test transaction): a change that writes two entries in
| its own transaction while another writer of the same process waits for the chain head.
*/
test.group('Audit log: concurrent writers', () => {
  test('a change writing two entries is not stuck behind a writer that waits for that change', async ({
    assert,
  }) => {
    const entry = (action: string, trx?: TransactionClientContract) => ({
      action,
      actor: { id: null, label: 'tester' },
      target: { type: 'thing', id: 1, label: 'thing' },
      trx,
    })
    let other: Promise<AuditLog> | undefined
    const change = db.transaction(async (trx) => {
      await audit.record(entry('test.change.first', trx))
      // Another request of this process appends meanwhile: it waits for the change to commit.
      other = audit.record(entry('test.other'))
      await new Promise((resolve) => setTimeout(resolve, 100))
      await audit.record(entry('test.change.second', trx))
    })
    const outcome = await Promise.race([
      change.then(() => 'committed'),
      new Promise((resolve) => setTimeout(() => resolve('stuck'), 10_000)),
    ])
    assert.equal(outcome, 'committed', 'the change never committed: its second entry waited')
    const otherEntry = await other!
    const rows = await db
      .from('audit_logs')
      .whereIn('action', ['test.change.first', 'test.change.second', 'test.other'])
      .orderBy('id')
      .select('id', 'action')
    assert.deepEqual(
      rows.slice(-3).map((r) => r.action),
      ['test.change.first', 'test.change.second', 'test.other']
    )
    assert.equal(Number(rows.at(-1)!.id), otherEntry.id)
    assert.isTrue((await verifyAuditChain()).ok)
  })
})
