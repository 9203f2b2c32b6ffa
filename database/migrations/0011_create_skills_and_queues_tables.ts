import { BaseSchema } from '@adonisjs/lucid/schema'

/** ACD configuration: skills, queues, which agents serve a queue and how good each agent is. */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('skills', (table) => {
      table.increments('id').notNullable()
      table.string('name', 60).notNullable().unique()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
    })

    this.schema.createTable('queues', (table) => {
      table.increments('id').notNullable()
      table.string('name', 120).notNullable().unique()
      // longest_idle | round_robin | fewest_calls_today | skills_based
      table.string('strategy', 30).notNullable()
      table
        .integer('required_skill_id')
        .unsigned()
        .nullable()
        .references('skills.id')
        .onDelete('SET NULL')
      table.integer('required_skill_level').notNullable().defaultTo(1)
      // Higher first when an agent serves several queues.
      table.integer('priority').notNullable().defaultTo(0)
      table.integer('ring_timeout_seconds').notNullable().defaultTo(20)
      table.integer('wrap_up_seconds').notNullable().defaultTo(15)
      table.integer('max_wait_seconds').notNullable().defaultTo(300)
      // voicemail | queue | callback | hangup, once a caller has waited max_wait_seconds (0: no limit)
      table.string('overflow_action', 20).notNullable().defaultTo('voicemail')
      // Queue id (overflow to a queue), or a mailbox other than the queue's own (voicemail).
      table.string('overflow_target', 64).nullable()
      // 0: no position/wait-time announcements
      table.integer('announce_every_seconds').notNullable().defaultTo(60)
      table.string('music_on_hold', 40).notNullable().defaultTo('default')
      table.integer('recording_retention_days').notNullable().defaultTo(180)
      table.integer('service_level_seconds').notNullable().defaultTo(20)
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
    })

    this.schema.createTable('queue_agents', (table) => {
      table.increments('id').notNullable()
      table.integer('queue_id').unsigned().notNullable().references('queues.id').onDelete('CASCADE')
      table.integer('user_id').unsigned().notNullable().references('users.id').onDelete('CASCADE')
      // Lower is offered first (0 = first choice).
      table.integer('penalty').notNullable().defaultTo(0)
      table.timestamp('created_at').notNullable()
      table.unique(['queue_id', 'user_id'])
      table.index(['user_id'])
    })

    this.schema.createTable('agent_skills', (table) => {
      table.increments('id').notNullable()
      table.integer('user_id').unsigned().notNullable().references('users.id').onDelete('CASCADE')
      table.integer('skill_id').unsigned().notNullable().references('skills.id').onDelete('CASCADE')
      // 1 (beginner) to 10 (expert)
      table.integer('level').notNullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.unique(['user_id', 'skill_id'])
      table.index(['skill_id'])
    })
  }

  async down() {
    this.schema.dropTable('agent_skills')
    this.schema.dropTable('queue_agents')
    this.schema.dropTable('queues')
    this.schema.dropTable('skills')
  }
}
