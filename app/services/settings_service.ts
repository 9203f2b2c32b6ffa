import vine from '@vinejs/vine'
import app from '@adonisjs/core/services/app'
import Setting from '#models/setting'
import { DEFAULT_MFA_REQUIRED, type Role } from '#app/auth/roles'

/** Branch-wide security settings, editable by admins (and audited by the action that edits them). */
export interface SecuritySettings {
  mfaRequired: Record<Role, boolean>
  singleSession: boolean
  idleTimeoutMinutes: number
  absoluteTimeoutHours: number
}

export const DEFAULT_SECURITY_SETTINGS: SecuritySettings = {
  mfaRequired: { ...DEFAULT_MFA_REQUIRED },
  singleSession: true,
  idleTimeoutMinutes: 30,
  absoluteTimeoutHours: 12,
}

export const securitySettingsValidator = vine.create({
  mfaRequired: vine.object({
    admin: vine.boolean(),
    supervisor: vine.boolean(),
    team_lead: vine.boolean(),
    agent: vine.boolean(),
  }),
  singleSession: vine.boolean(),
  idleTimeoutMinutes: vine
    .number()
    .withoutDecimals()
    .range([5, 24 * 60]),
  absoluteTimeoutHours: vine
    .number()
    .withoutDecimals()
    .range([1, 7 * 24]),
})

const KEY = 'security'
// No cache under test: each test rolls its settings back with its transaction.
const CACHE_MS = app.inTest ? 0 : 5_000

/**
 * Read on every request by the session guard, so it is cached briefly; a change made in another
 * process (there is only one web process per branch box) is seen within seconds.
 */
class SettingsService {
  #cached: { value: SecuritySettings; at: number } | null = null

  async security(): Promise<SecuritySettings> {
    if (this.#cached && Date.now() - this.#cached.at < CACHE_MS) return this.#cached.value
    const row = await Setting.find(KEY)
    const stored = (row?.value ?? {}) as Partial<SecuritySettings>
    const value: SecuritySettings = {
      ...DEFAULT_SECURITY_SETTINGS,
      ...stored,
      mfaRequired: { ...DEFAULT_SECURITY_SETTINGS.mfaRequired, ...(stored.mfaRequired ?? {}) },
    }
    this.#cached = { value, at: Date.now() }
    return value
  }

  async saveSecurity(
    value: SecuritySettings,
    client?: Parameters<typeof Setting.updateOrCreate>[2]
  ) {
    await Setting.updateOrCreate({ key: KEY }, { value }, client)
    this.#cached = null
  }

  forget() {
    this.#cached = null
  }
}

const settings = new SettingsService()
export default settings
