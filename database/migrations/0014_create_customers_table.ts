import { BaseSchema } from '@adonisjs/lucid/schema'

/** Who calls: just enough for caller details and VIP priority in the queues. */
export default class extends BaseSchema {
  protected tableName = 'customers'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id').notNullable()
      table.string('phone_number', 32).notNullable().unique()
      table.string('name', 120).nullable()
      // normal | vip
      table.string('tier', 10).notNullable().defaultTo('normal')
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
