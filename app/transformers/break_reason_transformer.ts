import { BaseTransformer } from '@adonisjs/core/transformers'
import type BreakReason from '#models/break_reason'

export default class BreakReasonTransformer extends BaseTransformer<BreakReason> {
  toObject() {
    const b = this.resource
    return {
      id: b.id,
      code: b.code,
      dialCode: b.dialCode ?? null,
      nameEn: b.nameEn,
      nameZhCn: b.nameZhCn,
      active: b.active,
    }
  }
}
