import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import limiter from '@adonisjs/limiter/services/main'

/*
| Limiters are cached for the life of the process. One first used inside a transaction that is
| then rolled back (the suite's global transactions) must keep counting on the connection itself:
| on PostgreSQL the stock store ran on that transaction, lost what it counted with the rollback
| and, once the pool closed the connection, failed every sign-in with "Client was closed".
*/
test.group('Rate limits: the database store', () => {
  test('what a limiter counts inside a rolled-back transaction is kept, and it keeps counting', async ({
    assert,
    cleanup,
  }) => {
    const key = `limiter-store-${Date.now()}`
    const rollback = await testUtils.db().withGlobalTransaction()
    // Options no other test uses: this limiter (and its store) is made inside the transaction.
    const attempts = limiter.use({ requests: 7, duration: '1 min' })
    cleanup(async () => {
      await attempts.delete(key)
    })
    await attempts.consume(key)
    await rollback()

    const afterRollback = await attempts.remaining(key)
    if (db.connection().dialect.name === 'postgres') assert.equal(afterRollback, 6)
    // SQLite has one connection: the limiter went through the transaction holding it.
    else assert.equal(afterRollback, 7)
    // Still usable: the stock store on PostgreSQL failed here once the pool closed the connection.
    await attempts.consume(key)
    await attempts.consume(key)
    assert.equal(await attempts.remaining(key), afterRollback - 2)
  })
})
