import { generateSync } from 'otplib'
import User from '#models/user'
import Team from '#models/team'
import settings from '#services/settings_service'
import totp from '#services/totp_service'
import type { Role } from '#app/auth/roles'

export const PASSWORD = 'Correct-horse-battery-42'

let counter = 0

export async function makeTeam(name?: string) {
  counter++
  return Team.create({ name: name ?? `Team ${counter}-${Date.now()}` })
}

export async function makeUser(role: Role, overrides: Partial<User> = {}) {
  counter++
  return User.create({
    fullName: `Test ${role} ${counter}`,
    email: `${role}${counter}-${Date.now()}@example.test`,
    password: PASSWORD,
    role,
    locale: 'en',
    isDisabled: false,
    teamId: null,
    ...overrides,
  })
}

/** A user with TOTP already enrolled; returns the plain secret to compute codes. */
export async function makeUserWithMfa(role: Role, overrides: Partial<User> = {}) {
  const user = await makeUser(role, overrides)
  const secret = totp.newSecret()
  user.totpSecret = totp.encryptSecret(secret)
  user.mfaEnabledAt = (await import('luxon')).DateTime.utc()
  await user.save()
  return { user, secret }
}

export function totpCode(secret: string, offsetSteps = 0) {
  return generateSync({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSteps * 30 })
}

/** Tests choose the MFA policy explicitly instead of depending on the defaults. */
export async function setMfaRequired(required: Partial<Record<Role, boolean>>) {
  const current = await settings.security()
  await settings.saveSecurity({ ...current, mfaRequired: { ...current.mfaRequired, ...required } })
}
