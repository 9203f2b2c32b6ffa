import { test } from '@japa/runner'
import { passwordWeakness } from '#services/password_policy'

test.group('Password policy', () => {
  test('passwords shorter than 12 characters are refused', ({ assert }) => {
    assert.equal(passwordWeakness('Xk9#mQ2!vL'), 'validation.password_too_short')
  })

  test('common passwords are refused, also padded with digits or symbols', ({ assert }) => {
    for (const weak of [
      'password1234',
      'qwertyuiop123',
      'iloveyou!!!!!',
      '123456789012',
      'aaaaaaaaaaaa',
      'Password123456',
    ]) {
      assert.equal(passwordWeakness(weak), 'validation.password_common', weak)
    }
  })

  test('a password built from the email name is refused', ({ assert }) => {
    assert.equal(
      passwordWeakness('zhangwei-2026-secure', 'zhangwei@example.cn'),
      'validation.password_contains_email'
    )
  })

  test('a long uncommon passphrase is accepted', ({ assert }) => {
    assert.isNull(passwordWeakness('Blue-lantern-harbour-77', 'agent@example.test'))
    assert.isNull(passwordWeakness('长城脚下的咖啡馆2026'))
  })
})
