import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'users'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id').notNullable()
      table.string('full_name', 120).notNullable()
      table.string('email', 254).notNullable().unique()
      table.string('password').notNullable()
      table.string('role', 20).notNullable().index()
      table.integer('team_id').unsigned().nullable().references('teams.id').onDelete('SET NULL')
      table.string('locale', 10).notNullable().defaultTo('en')
      table.boolean('is_disabled').notNullable().defaultTo(false)
      // A "lost device" lock: the account cannot sign in until an admin unlocks it.
      table.timestamp('locked_at').nullable()
      table.string('lock_reason', 200).nullable()
      // TOTP secret encrypted with the app key; null until enrolment is confirmed.
      table.text('totp_secret').nullable()
      table.text('totp_pending_secret').nullable()
      // Highest TOTP time-step accepted so far: a code is accepted once only.
      table.bigInteger('totp_last_step').nullable()
      table.timestamp('mfa_enabled_at').nullable()
      table.timestamp('password_changed_at').nullable()
      table.timestamp('last_sign_in_at').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
