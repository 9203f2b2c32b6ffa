import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { setTimeout as sleep } from 'node:timers/promises'
import { testRedis } from '#tests/bootstrap'
import healthService from '#services/health_service'
import { HttpAgent } from '#tests/helpers/http_agent'
import { makeUser, PASSWORD, setMfaRequired } from '#tests/helpers/accounts'

async function waitFor(check: () => Promise<boolean>, ms = 10_000) {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (await check()) return true
    await sleep(200)
  }
  return false
}

test.group('Health and degraded dependencies', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.setup(() => setMfaRequired({ supervisor: false, agent: false }))

  test('health reports database, Redis, ARI and the workers; public health shows status only', async ({
    assert,
  }) => {
    const agent = new HttpAgent()
    const pub = await agent.get('/health', 'application/json')
    assert.oneOf(pub.json.status, ['ok', 'degraded'])
    assert.notProperty(pub.json, 'checks')

    const supervisor = await makeUser('supervisor')
    await agent.signIn(supervisor.email, PASSWORD)
    const detail = await agent.get('/admin/health', 'application/json')
    assert.equal(detail.json.checks.database.status, 'ok')
    assert.equal(detail.json.checks.redis.status, 'ok')
    assert.properties(detail.json.checks, ['ari', 'worker:telephony', 'worker:jobs'])
  })

  test('Redis going down never stops sign-in; health says degraded and recovers by itself', async ({
    assert,
  }) => {
    const user = await makeUser('agent')
    await testRedis.stop()
    try {
      const down = await healthService.report()
      assert.equal(down.checks.redis.status, 'down')
      assert.equal(down.status, 'degraded')

      const agent = new HttpAgent()
      const res = await agent.signIn(user.email, PASSWORD)
      assert.equal(res.location, '/')
      assert.equal((await agent.get('/')).status, 200)
    } finally {
      await testRedis.start()
    }
    assert.isTrue(
      await waitFor(async () => (await healthService.report()).checks.redis.status === 'ok'),
      'Redis reconnected'
    )
  })

  test('ARI being unreachable makes health degraded, not down', async ({ assert }) => {
    const report = await healthService.report()
    if (report.checks.ari.status === 'ok') {
      // The test Asterisk is running for the integration suite; the degraded path is covered there.
      assert.equal(report.checks.database.status, 'ok')
      return
    }
    assert.equal(report.status, 'degraded')
    assert.match(report.checks.ari.detail ?? '', /fetch failed|ECONNREFUSED|timeout|HTTP/)
  })
})
