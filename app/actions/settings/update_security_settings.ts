import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import audit from '#services/audit_service'
import settings, { type SecuritySettings } from '#services/settings_service'

export default class UpdateSecuritySettings {
  async handle(ctx: HttpContext, next: SecuritySettings) {
    const before = await settings.security()
    await db.transaction(async (trx) => {
      await settings.saveSecurity(next, { client: trx })
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'settings.security_changed',
        target: { type: 'settings', id: 'security', label: 'security' },
        before: before as unknown as Record<string, unknown>,
        after: next as unknown as Record<string, unknown>,
      })
    })
    settings.forget()
  }
}
