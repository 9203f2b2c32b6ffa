import env from '#start/env'
import { configProvider } from '@adonisjs/core'
import { QueryClient } from '@adonisjs/lucid/database'
import type { LimiterConsumptionOptions } from '@adonisjs/limiter/types'
import { defineConfig, stores } from '@adonisjs/limiter'

/**
 * The database store, on PostgreSQL always on the connection itself. The stock `stores.database`
 * hands the store `db.connection()`, which while a global transaction is open (the test suite's)
 * is that transaction; limiters are cached for the life of the process, so the sign-in limiters
 * went on running their queries on that transaction's connection long after its rollback: inside
 * other requests' transactions while the pool lent it out, and with "Client was closed" once the
 * pool had closed it for idling. SQLite has one connection (knex's pool): whoever holds it, the
 * limiter must go through them, as the stock store does.
 */
const databaseStore = (config: { tableName: string }) =>
  configProvider.create(async (app) => {
    const db = await app.container.make('lucid.db')
    const emitter = await app.container.make('emitter')
    const { default: LimiterDatabaseStore } = await import('@adonisjs/limiter/stores/database')
    const connectionName = db.primaryConnectionName
    db.manager.connect(connectionName)
    const connection = db.manager.get(connectionName)!.connection!
    const raw = connection.config.connection
    const dbName =
      raw && typeof raw === 'object' && 'database' in raw ? String(raw.database) : undefined
    const sqlite =
      connection.dialectName === 'better-sqlite3' || connection.dialectName === 'sqlite3'
    return (options: LimiterConsumptionOptions) =>
      new LimiterDatabaseStore(
        sqlite ? db.connection(connectionName) : new QueryClient('dual', connection, emitter),
        {
          ...config,
          dbName,
          ...options,
        }
      )
  })

const limiterConfig = defineConfig({
  default: env.get('LIMITER_STORE'),
  stores: {
    /** Rate-limit state in the app's own database: lockouts survive restarts, no Redis needed. */
    database: databaseStore({ tableName: 'rate_limits' }),

    /** In memory: for development only. */
    memory: stores.memory({}),
  },
})

export default limiterConfig

declare module '@adonisjs/limiter/types' {
  export interface LimitersList extends InferLimiters<typeof limiterConfig> {}
}
