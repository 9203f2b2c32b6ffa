import { test } from '@japa/runner'
import { generateSync } from 'otplib'
import totp from '#services/totp_service'

const now = () => Math.floor(Date.now() / 1000)

test.group('TOTP', () => {
  test('a current code is accepted and reports its time-step', async ({ assert }) => {
    const secret = totp.newSecret()
    const result = await totp.check(secret, generateSync({ secret, epoch: now() }), null)
    assert.isObject(result)
    assert.equal((result as { step: number }).step, Math.floor(now() / 30))
  })

  test('the same step is refused once it was used (replay)', async ({ assert }) => {
    const secret = totp.newSecret()
    const code = generateSync({ secret, epoch: now() })
    const first = (await totp.check(secret, code, null)) as { step: number }
    assert.equal(await totp.check(secret, code, first.step), 'replayed')
  })

  test('one step of drift either way is tolerated, two are not', async ({ assert }) => {
    const secret = totp.newSecret()
    assert.isObject(await totp.check(secret, generateSync({ secret, epoch: now() - 30 }), null))
    assert.isObject(await totp.check(secret, generateSync({ secret, epoch: now() + 30 }), null))
    assert.isNull(await totp.check(secret, generateSync({ secret, epoch: now() - 90 }), null))
  })

  test('malformed codes are refused without a lookup', async ({ assert }) => {
    const secret = totp.newSecret()
    assert.isNull(await totp.check(secret, '12a456', null))
    assert.isNull(await totp.check(secret, '', null))
  })

  test('secrets are encrypted at rest and decrypt back', ({ assert }) => {
    const secret = totp.newSecret()
    const stored = totp.encryptSecret(secret)
    assert.notInclude(stored, secret)
    assert.equal(totp.decryptSecret(stored), secret)
  })

  test('recovery codes are ten, unique, and hash the same however they are typed', ({ assert }) => {
    const codes = totp.newRecoveryCodes()
    assert.lengthOf(new Set(codes), 10)
    assert.equal(
      totp.hashRecoveryCode(codes[0]),
      totp.hashRecoveryCode(` ${codes[0].toLowerCase().replace('-', '')} `)
    )
  })
})
