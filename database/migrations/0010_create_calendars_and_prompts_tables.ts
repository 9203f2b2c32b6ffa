import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Opening hours and the sounds callers hear. A calendar's weekly ranges, holidays and workday
 * overrides (make-up working days, 调休) are JSON text so SQLite and PostgreSQL store them alike.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('calendars', (table) => {
      table.increments('id').notNullable()
      table.string('name', 120).notNullable().unique()
      table.string('time_zone', 64).notNullable().defaultTo('Asia/Shanghai')
      // Shapes of app/telephony/hours/types.ts:
      // { "mon": [{ "start": "09:00", "end": "18:00" }], ..., "sun": [] }
      table.text('weekly').notNullable()
      // [{ "date": "2026-10-01", "name": "National Day", "hours": [] }]: no hours = closed all day
      table.text('holidays').notNullable()
      // [{ "date": "2026-09-27", "name": "...", "sameAs": "mon", "hours": [...] }]
      table.text('workday_overrides').notNullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
    })

    this.schema.createTable('prompts', (table) => {
      table.increments('id').notNullable()
      table.string('name', 120).notNullable().unique()
      // builtin: an Asterisk sound name; upload: a file under storage/ converted for Asterisk
      table.string('kind', 10).notNullable()
      table.string('sound', 255).nullable()
      table.string('file_path', 500).nullable()
      table.integer('duration_ms').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
    })
  }

  async down() {
    this.schema.dropTable('prompts')
    this.schema.dropTable('calendars')
  }
}
