import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Agents' IP phones (PJSIP endpoints), their current status and its append-only history for
 * time-in-state reports, and the break reasons an agent picks.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('break_reasons', (table) => {
      table.increments('id').notNullable()
      table.string('code', 30).notNullable().unique()
      table.string('name_en', 60).notNullable()
      table.string('name_zh_cn', 60).notNullable()
      table.boolean('active').notNullable().defaultTo(true)
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
    })

    this.schema.createTable('agent_devices', (table) => {
      table.increments('id').notNullable()
      table.integer('user_id').unsigned().notNullable().references('users.id').onDelete('CASCADE')
      table.string('endpoint', 40).notNullable().unique()
      // Asterisk needs the SIP password in clear in its config: encrypted with the app key, never
      // hashed, never logged.
      table.text('secret').notNullable()
      // udp | webrtc
      table.string('transport', 10).notNullable()
      table.timestamp('secret_rotated_at').notNullable()
      table.timestamp('last_registered_at').nullable()
      table.string('last_contact', 255).nullable()
      table.string('last_user_agent', 255).nullable()
      table.string('last_ip', 64).nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.index(['user_id'])
    })

    this.schema.createTable('agent_states', (table) => {
      table.integer('user_id').unsigned().primary().references('users.id').onDelete('CASCADE')
      // available | ringing | on_call | wrap_up | break | missed | offline
      table.string('state', 20).notNullable()
      // A break reason code while on break.
      table.string('reason', 30).nullable()
      table.timestamp('since').notNullable()
      table.integer('updated_by').unsigned().nullable().references('users.id').onDelete('SET NULL')
    })

    this.schema.createTable('agent_state_events', (table) => {
      table.bigIncrements('id').notNullable()
      table.integer('user_id').unsigned().notNullable().references('users.id').onDelete('CASCADE')
      table.string('from_state', 20).nullable()
      table.string('to_state', 20).notNullable()
      table.string('reason', 30).nullable()
      // Who made the change when not the agent (a supervisor forcing a state, the ACD).
      table.integer('changed_by').unsigned().nullable().references('users.id').onDelete('SET NULL')
      // Epoch milliseconds: identical on SQLite and PostgreSQL.
      table.bigInteger('at').notNullable()
      table.index(['user_id', 'at'])
      table.index(['at'])
    })
  }

  async down() {
    this.schema.dropTable('agent_state_events')
    this.schema.dropTable('agent_states')
    this.schema.dropTable('agent_devices')
    this.schema.dropTable('break_reasons')
  }
}
