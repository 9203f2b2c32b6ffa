import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * IVR flows (nodes as JSON text) with every saved version kept, so a call record's
 * (ivr_flow_id, ivr_flow_version) always points at the menu the caller actually heard; and the
 * inbound routes that send a dialled number to an IVR, a queue or an agent.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('ivr_flows', (table) => {
      table.increments('id').notNullable()
      table.string('name', 120).notNullable().unique()
      table.string('entry_node', 64).notNullable()
      table.text('nodes').notNullable()
      // Bumped on every save.
      table.integer('version').notNullable().defaultTo(1)
      table.integer('updated_by').unsigned().nullable().references('users.id').onDelete('SET NULL')
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
    })

    this.schema.createTable('ivr_flow_versions', (table) => {
      table.increments('id').notNullable()
      table
        .integer('ivr_flow_id')
        .unsigned()
        .notNullable()
        .references('ivr_flows.id')
        .onDelete('CASCADE')
      table.integer('version').notNullable()
      table.string('entry_node', 64).notNullable()
      table.text('nodes').notNullable()
      table.integer('saved_by').unsigned().nullable().references('users.id').onDelete('SET NULL')
      table.timestamp('created_at').notNullable()
      table.unique(['ivr_flow_id', 'version'])
    })

    this.schema.createTable('inbound_routes', (table) => {
      table.increments('id').notNullable()
      table.string('name', 120).notNullable().unique()
      // An exact number (4008001000) or an Asterisk-style pattern (_400X.)
      table.string('did_pattern', 40).notNullable()
      table.string('caller_pattern', 40).nullable()
      // Higher is tried first (as queue priorities); ties by id.
      table.integer('priority').notNullable().defaultTo(100)
      // ivr | queue | agent; the id is polymorphic, checked by the save action.
      table.string('target_type', 10).notNullable()
      table.integer('target_id').notNullable()
      table
        .integer('calendar_id')
        .unsigned()
        .nullable()
        .references('calendars.id')
        .onDelete('SET NULL')
      // ivr | queue | agent | voicemail | hangup; used outside the calendar's opening hours.
      table.string('closed_target_type', 10).nullable()
      table.integer('closed_target_id').nullable()
      table.boolean('enabled').notNullable().defaultTo(true)
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.index(['enabled', 'priority'])
    })
  }

  async down() {
    this.schema.dropTable('inbound_routes')
    this.schema.dropTable('ivr_flow_versions')
    this.schema.dropTable('ivr_flows')
  }
}
