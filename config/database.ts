import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig } from '@adonisjs/lucid'

const migrations = { naturalSort: true, paths: ['database/migrations'] }
// Models declare their columns explicitly (typed booleans, redacted secrets), so no generated
// schema classes: they would differ between the SQLite and PostgreSQL runs.
const schemaGeneration = { enabled: false }

/**
 * knex prepares every SQLite statement anew, and preparing was about a tenth of the telephony
 * worker's CPU (some 80 statements per call, the same few dozen texts over and over): keep this
 * connection's most recently used statements and run them again. better-sqlite3 runs a statement
 * to its end before returning, so one is never in use twice at once.
 */
function reusePreparedStatements(connection: any, keep = 500) {
  const prepare = connection.prepare.bind(connection)
  const statements = new Map<string, any>()
  connection.prepare = (sql: string) => {
    let statement = statements.get(sql)
    if (statement) {
      statements.delete(sql)
    } else {
      statement = prepare(sql)
      if (statements.size >= keep) statements.delete(statements.keys().next().value!)
    }
    statements.set(sql, statement)
    // knex turns safe integers on per query; a statement used again starts from the default.
    statement.safeIntegers(false)
    return statement
  }
}

const dbConfig = defineConfig({
  connection: env.get('DB_CONNECTION', 'sqlite'),
  connections: {
    /*
    | Embedded default. WAL lets readers (web requests, reports) run while the telephony worker
    | writes; busy_timeout makes concurrent writers queue instead of failing with SQLITE_BUSY.
    */
    sqlite: {
      client: 'better-sqlite3',
      connection: {
        filename: env.get('SQLITE_PATH') ?? app.makePath('storage', 'ringdesk.sqlite3'),
      },
      useNullAsDefault: true,
      pool: {
        afterCreate: (connection: any, done: (error: Error | null, connection: any) => void) => {
          connection.pragma('journal_mode = WAL')
          connection.pragma('busy_timeout = 5000')
          connection.pragma('foreign_keys = ON')
          connection.pragma('synchronous = NORMAL')
          reusePreparedStatements(connection)
          done(null, connection)
        },
      },
      migrations,
      schemaGeneration,
    },
    pg: {
      client: 'pg',
      connection: {
        host: env.get('PG_HOST', '127.0.0.1'),
        port: env.get('PG_PORT', 5432),
        user: env.get('PG_USER', 'postgres'),
        password: env.get('PG_PASSWORD', ''),
        database: env.get('PG_DB_NAME', 'ringdesk'),
      },
      migrations,
      schemaGeneration,
    },
  },
})

export default dbConfig
