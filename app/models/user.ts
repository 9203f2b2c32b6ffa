import { DateTime } from 'luxon'
import hash from '@adonisjs/core/services/hash'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel, belongsTo, column, hasMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import { withAuthFinder } from '@adonisjs/auth/mixins/lucid'
import Team from '#models/team'
import RecoveryCode from '#models/recovery_code'
import type { Role } from '#app/auth/roles'

const AuthFinder = withAuthFinder(() => hash.use('argon'), {
  uids: ['email'],
  passwordColumnName: 'password',
})

export default class User extends compose(BaseModel, AuthFinder) {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare fullName: string

  @column()
  declare email: string

  @column({ serializeAs: null })
  declare password: string

  @column()
  declare role: Role

  @column()
  declare teamId: number | null

  @column()
  declare locale: string

  @column({ consume: (value) => Boolean(value) })
  declare isDisabled: boolean

  @column.dateTime()
  declare lockedAt: DateTime | null

  @column()
  declare lockReason: string | null

  @column({ serializeAs: null })
  declare totpSecret: string | null

  @column({ serializeAs: null })
  declare totpPendingSecret: string | null

  @column({ serializeAs: null, consume: (value) => (value === null ? null : Number(value)) })
  declare totpLastStep: number | null

  @column.dateTime()
  declare mfaEnabledAt: DateTime | null

  @column.dateTime()
  declare passwordChangedAt: DateTime | null

  @column.dateTime()
  declare lastSignInAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => Team)
  declare team: BelongsTo<typeof Team>

  @hasMany(() => RecoveryCode)
  declare recoveryCodes: HasMany<typeof RecoveryCode>

  get mfaEnabled() {
    return this.mfaEnabledAt !== null && this.totpSecret !== null
  }

  get canSignIn() {
    return !this.isDisabled && this.lockedAt === null
  }
}
