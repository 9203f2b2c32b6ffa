import { DateTime } from 'luxon'
import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import type User from '#models/user'
import RecoveryCode from '#models/recovery_code'
import audit from '#services/audit_service'
import totp from '#services/totp_service'
import DomainError from '#exceptions/domain_error'

/**
 * TOTP enrolment in two steps: `start` keeps a pending secret (encrypted) and shows the QR code;
 * `confirm` needs a valid code from the app, then switches MFA on and issues recovery codes.
 */
export default class EnrolMfa {
  async start(user: User): Promise<{ secret: string; qr: { uri: string; dataUrl: string } }> {
    let secret: string
    if (user.totpPendingSecret) {
      secret = totp.decryptSecret(user.totpPendingSecret)
    } else {
      secret = totp.newSecret()
      user.totpPendingSecret = totp.encryptSecret(secret)
      await user.save()
    }
    return { secret, qr: await totp.qrCode(secret, user.email) }
  }

  async confirm(ctx: HttpContext, user: User, code: string): Promise<string[]> {
    if (!user.totpPendingSecret) throw new DomainError('mfa.no_pending_enrolment', 'code')
    const secret = totp.decryptSecret(user.totpPendingSecret)
    const result = await totp.check(secret, code, null)
    if (result === null || result === 'replayed') {
      await audit.record({
        ...audit.fromRequest(ctx),
        action: 'mfa.enrolment_code_rejected',
        target: { type: 'user', id: user.id, label: user.email },
      })
      throw new DomainError('auth.totp_invalid', 'code')
    }
    const codes = totp.newRecoveryCodes()
    const wasEnabled = user.mfaEnabled
    await db.transaction(async (trx) => {
      user.useTransaction(trx)
      user.totpSecret = user.totpPendingSecret
      user.totpPendingSecret = null
      user.totpLastStep = result.step
      user.mfaEnabledAt = DateTime.utc()
      await user.save()
      await RecoveryCode.query({ client: trx }).where('user_id', user.id).delete()
      await RecoveryCode.createMany(
        codes.map((c) => ({ userId: user.id, codeHash: totp.hashRecoveryCode(c) })),
        { client: trx }
      )
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: wasEnabled ? 'mfa.reenrolled' : 'mfa.enabled',
        target: { type: 'user', id: user.id, label: user.email },
        after: { mfaEnabled: true, recoveryCodes: codes.length },
      })
    })
    return codes
  }

  async regenerateRecoveryCodes(ctx: HttpContext, user: User, code: string): Promise<string[]> {
    const secret = user.totpSecret ? totp.decryptSecret(user.totpSecret) : null
    if (!secret) throw new DomainError('auth.mfa_not_enrolled', 'code')
    const result = await totp.check(secret, code, user.totpLastStep)
    if (result === null || result === 'replayed') {
      throw new DomainError(
        result === 'replayed' ? 'auth.totp_replayed' : 'auth.totp_invalid',
        'code'
      )
    }
    const codes = totp.newRecoveryCodes()
    await db.transaction(async (trx) => {
      user.useTransaction(trx)
      user.totpLastStep = result.step
      await user.save()
      await RecoveryCode.query({ client: trx }).where('user_id', user.id).delete()
      await RecoveryCode.createMany(
        codes.map((c) => ({ userId: user.id, codeHash: totp.hashRecoveryCode(c) })),
        { client: trx }
      )
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'mfa.recovery_codes_regenerated',
        target: { type: 'user', id: user.id, label: user.email },
      })
    })
    return codes
  }
}
