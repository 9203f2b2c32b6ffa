import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig } from '@adonisjs/lucid'

const migrations = { naturalSort: true, paths: ['database/migrations'] }
// Models declare their columns explicitly (typed booleans, redacted secrets), so no generated
// schema classes: they would differ between the SQLite and PostgreSQL runs.
const schemaGeneration = { enabled: false }

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
