import { dictionary } from '@zxcvbn-ts/language-common'

const COMMON = new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()))

export const MIN_PASSWORD_LENGTH = 12

/**
 * Rejects passwords from the common-passwords list (49k entries, shipped with zxcvbn-ts), also
 * when padded with digits or symbols ("password123456"), and ones made of the user's own email
 * name. Returns the i18n key of the reason, or null when acceptable.
 */
export function passwordWeakness(password: string, email?: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return 'validation.password_too_short'
  const lower = password.toLowerCase()
  const core = lower.replace(/[\d\W_]+$/u, '').replace(/^[\d\W_]+/u, '')
  if (COMMON.has(lower) || (core.length > 0 && COMMON.has(core))) {
    return 'validation.password_common'
  }
  if (/^(.)\1+$/u.test(password) || /^(0123456789|1234567890)+/.test(password)) {
    return 'validation.password_common'
  }
  const name = email?.split('@')[0]?.toLowerCase()
  if (name && name.length >= 4 && lower.includes(name)) return 'validation.password_contains_email'
  return null
}
