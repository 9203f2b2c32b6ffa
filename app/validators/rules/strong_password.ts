import vine from '@vinejs/vine'
import type { FieldContext } from '@vinejs/vine/types'
import { passwordWeakness } from '#services/password_policy'

/**
 * VineJS rule: at least 12 characters, not on the common-passwords list, not built from the
 * account's own email name (read from a sibling `email` field or the validator's meta data).
 */
export const strongPassword = vine.createRule(
  (value: unknown, _options: undefined, field: FieldContext) => {
    if (typeof value !== 'string') return
    const email =
      (field.parent?.email as string | undefined) ?? (field.meta?.email as string | undefined)
    const reason = passwordWeakness(value, email)
    if (reason) {
      field.report(reason, reason.replace('validation.', ''), field)
    }
  }
)
