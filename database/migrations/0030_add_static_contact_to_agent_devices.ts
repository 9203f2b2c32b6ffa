import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * A desk phone on a fixed address that does not REGISTER (and the SIPp phones of the tests) is
 * reached at a static contact instead of its registration.
 */
export default class extends BaseSchema {
  protected tableName = 'agent_devices'

  async up() {
    this.schema.alterTable(this.tableName, (table) => {
      table.string('static_contact', 200).nullable()
    })
  }

  async down() {
    this.schema.alterTable(this.tableName, (table) => {
      table.dropColumn('static_contact')
    })
  }
}
