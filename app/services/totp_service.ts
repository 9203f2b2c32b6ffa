import { createHash, randomBytes } from 'node:crypto'
import encryption from '@adonisjs/core/services/encryption'
import { generateSecret, generateURI, verify } from 'otplib'
import QRCode from 'qrcode'

const ISSUER = 'Ringdesk'
const PERIOD = 30

/**
 * TOTP (RFC 6238) for two-step sign-in. Secrets are encrypted with the app key before they touch
 * the database; a code is accepted at most once (the last accepted time-step is stored) and one
 * time-step of clock drift either way is tolerated.
 */
class TotpService {
  newSecret(): string {
    return generateSecret()
  }

  encryptSecret(secret: string): string {
    return encryption.encrypt(secret)
  }

  decryptSecret(encrypted: string): string {
    const secret = encryption.decrypt<string>(encrypted)
    if (!secret) throw new Error('TOTP secret cannot be decrypted with the current APP_KEY')
    return secret
  }

  async qrCode(secret: string, account: string): Promise<{ uri: string; dataUrl: string }> {
    const uri = generateURI({ issuer: ISSUER, label: account, secret, period: PERIOD })
    return { uri, dataUrl: await QRCode.toDataURL(uri, { margin: 1, width: 220 }) }
  }

  /**
   * Returns the matched time-step, `replayed` when the code is right but was already used (or an
   * older one was), or null when the code is wrong.
   */
  async check(
    secret: string,
    code: string,
    lastStep: number | null
  ): Promise<{ step: number } | 'replayed' | null> {
    const token = code.replace(/\s+/g, '')
    if (!/^\d{6}$/.test(token)) return null
    const result = await verify({ secret, token, epochTolerance: PERIOD, period: PERIOD })
    if (!result.valid) return null
    const step = (result as { timeStep: number }).timeStep
    if (lastStep !== null && step <= lastStep) return 'replayed'
    return { step }
  }

  /** Ten one-time recovery codes: shown once, stored only as SHA-256 (they are 60-bit random). */
  newRecoveryCodes(count = 10): string[] {
    return Array.from({ length: count }, () => {
      const raw = randomBytes(8).toString('hex').slice(0, 10).toUpperCase()
      return `${raw.slice(0, 5)}-${raw.slice(5)}`
    })
  }

  hashRecoveryCode(code: string): string {
    const normalised = code
      .trim()
      .toUpperCase()
      .replace(/[^0-9A-F]/g, '')
    return createHash('sha256').update(`ringdesk-recovery:${normalised}`).digest('hex')
  }
}

const totp = new TotpService()
export default totp
