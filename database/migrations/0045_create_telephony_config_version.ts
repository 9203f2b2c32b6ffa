import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The telephony worker keeps routes, IVR flows, prompts, calendars, queues and their members in
 * memory (reading them for every call was most of its database work). One counter says when any
 * of them changed: database triggers bump it on every insert, update or delete, whoever writes
 * (the web's actions, a seeder, a test, psql), and the worker compares it once per call.
 */
const TABLES = [
  'inbound_routes',
  'ivr_flows',
  'prompts',
  'calendars',
  'queues',
  'queue_agents',
  'skills',
  'agent_skills',
  'agent_devices',
]
/**
 * An upsert: a test suite's truncate empties the counter's table too. A row made anew starts
 * from the clock in ms, so it never repeats a version a running worker saw before the truncate.
 */
const bump = (now: string) =>
  `INSERT INTO telephony_config_version (id, version) VALUES (1, ${now})
   ON CONFLICT (id) DO UPDATE SET version = telephony_config_version.version + 1`
const SQLITE_NOW = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
const PG_NOW = '(extract(epoch from clock_timestamp()) * 1000)::bigint'

export default class extends BaseSchema {
  async up() {
    this.schema.createTable('telephony_config_version', (table) => {
      table.integer('id').primary()
      table.bigInteger('version').notNullable()
    })
    this.defer(async (db) => {
      if (db.dialect.name === 'postgres') {
        await db.rawQuery(
          `CREATE OR REPLACE FUNCTION bump_telephony_config_version() RETURNS trigger AS $$
           BEGIN ${bump(PG_NOW)}; RETURN NULL; END $$ LANGUAGE plpgsql`
        )
        for (const table of TABLES) {
          await db.rawQuery(
            `CREATE TRIGGER ${table}_config_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
             ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION bump_telephony_config_version()`
          )
        }
        return
      }
      for (const table of TABLES) {
        for (const op of ['insert', 'update', 'delete']) {
          await db.rawQuery(
            `CREATE TRIGGER ${table}_config_version_${op} AFTER ${op.toUpperCase()} ON ${table}
             BEGIN ${bump(SQLITE_NOW)}; END`
          )
        }
      }
    })
  }

  async down() {
    this.defer(async (db) => {
      for (const table of TABLES) {
        if (db.dialect.name === 'postgres') {
          await db.rawQuery(`DROP TRIGGER IF EXISTS ${table}_config_version ON ${table}`)
        } else {
          for (const op of ['insert', 'update', 'delete'])
            await db.rawQuery(`DROP TRIGGER IF EXISTS ${table}_config_version_${op}`)
        }
      }
      if (db.dialect.name === 'postgres')
        await db.rawQuery('DROP FUNCTION IF EXISTS bump_telephony_config_version()')
    })
    this.schema.dropTable('telephony_config_version')
  }
}
