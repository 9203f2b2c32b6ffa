import { DateTime } from 'luxon'
import encryption from '@adonisjs/core/services/encryption'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import User from '#models/user'

export const DEVICE_TRANSPORTS = ['udp', 'webrtc'] as const
export type DeviceTransport = (typeof DEVICE_TRANSPORTS)[number]

/**
 * An agent's IP phone or softphone: one PJSIP endpoint. Asterisk needs the SIP password in clear
 * in its configuration, so it is encrypted with the app key (not hashed) and decrypted only by
 * whatever writes Asterisk's config.
 */
export default class AgentDevice extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare userId: number

  @column()
  declare endpoint: string

  @column({ serializeAs: null })
  declare secret: string

  @column()
  declare transport: DeviceTransport

  @column.dateTime()
  declare secretRotatedAt: DateTime

  @column.dateTime()
  declare lastRegisteredAt: DateTime | null

  @column()
  declare lastContact: string | null

  @column()
  declare lastUserAgent: string | null

  @column()
  declare lastIp: string | null

  /** A phone that does not REGISTER is reached here (migration 0030), e.g. `sip:1004@10.0.0.9`. */
  @column()
  declare staticContact: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => User)
  declare user: BelongsTo<typeof User>

  setSipPassword(password: string) {
    this.secret = encryption.encrypt(password)
    this.secretRotatedAt = DateTime.utc()
  }

  /** For the Asterisk configuration writer only; never sent to a browser or logged. */
  sipPassword(): string {
    const password = encryption.decrypt<string>(this.secret)
    if (!password) throw new Error('SIP password cannot be decrypted with the current APP_KEY')
    return password
  }
}
