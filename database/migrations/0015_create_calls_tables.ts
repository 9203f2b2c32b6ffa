import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Call records: one row per call with its KPIs' raw material, its channels (legs) and a
 * millisecond timeline of events. The telephony worker writes them idempotently, keyed by the
 * call's uuid and the channel id, so a replayed ARI event never duplicates a row.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('calls', (table) => {
      table.bigIncrements('id').notNullable()
      table.string('uuid', 36).notNullable().unique()
      // inbound | outbound | internal
      table.string('direction', 10).notNullable()
      table.string('did', 32).nullable()
      table.string('caller_number', 32).nullable()
      table.string('caller_name', 120).nullable()
      table
        .integer('customer_id')
        .unsigned()
        .nullable()
        .references('customers.id')
        .onDelete('SET NULL')
      table.timestamp('started_at').notNullable()
      table.timestamp('answered_at').nullable()
      table.timestamp('ended_at').nullable()
      table.string('end_cause', 40).nullable()
      table
        .integer('route_id')
        .unsigned()
        .nullable()
        .references('inbound_routes.id')
        .onDelete('SET NULL')
      table
        .integer('ivr_flow_id')
        .unsigned()
        .nullable()
        .references('ivr_flows.id')
        .onDelete('SET NULL')
      table.integer('ivr_flow_version').nullable()
      table.integer('queue_id').unsigned().nullable().references('queues.id').onDelete('SET NULL')
      table.integer('agent_id').unsigned().nullable().references('users.id').onDelete('SET NULL')
      table.integer('wait_seconds').notNullable().defaultTo(0)
      table.integer('talk_seconds').notNullable().defaultTo(0)
      table.integer('hold_seconds').notNullable().defaultTo(0)
      table.integer('wrap_up_seconds').notNullable().defaultTo(0)
      table.boolean('transferred').notNullable().defaultTo(false)
      table.boolean('abandoned').notNullable().defaultTo(false)
      table.boolean('has_recording').notNullable().defaultTo(false)
      // ivr | queue | ringing | bridged | voicemail | ended
      table.string('state', 12).notNullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.index(['started_at'])
      table.index(['queue_id', 'started_at'])
      table.index(['agent_id', 'started_at'])
      table.index(['caller_number'])
      table.index(['state'])
    })

    this.schema.createTable('call_legs', (table) => {
      table.bigIncrements('id').notNullable()
      table
        .bigInteger('call_id')
        .unsigned()
        .notNullable()
        .references('calls.id')
        .onDelete('CASCADE')
      table.string('channel_id', 64).notNullable().unique()
      // customer | agent | external
      table.string('kind', 10).notNullable()
      table.string('endpoint', 80).nullable()
      table.integer('user_id').unsigned().nullable().references('users.id').onDelete('SET NULL')
      table.timestamp('started_at').notNullable()
      table.timestamp('answered_at').nullable()
      table.timestamp('ended_at').nullable()
      table.string('cause', 40).nullable()
      table.index(['call_id'])
    })

    this.schema.createTable('call_events', (table) => {
      table.bigIncrements('id').notNullable()
      table
        .bigInteger('call_id')
        .unsigned()
        .notNullable()
        .references('calls.id')
        .onDelete('CASCADE')
      // Epoch milliseconds: SQLite's timestamp format has no fraction, and the order of events a
      // few ms apart matters.
      table.bigInteger('at').notNullable()
      table.string('type', 30).notNullable()
      table.text('data').nullable()
      table.index(['call_id', 'at'])
      table.index(['type', 'at'])
    })
  }

  async down() {
    this.schema.dropTable('call_events')
    this.schema.dropTable('call_legs')
    this.schema.dropTable('calls')
  }
}
