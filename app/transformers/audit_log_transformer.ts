import { BaseTransformer } from '@adonisjs/core/transformers'
import type AuditLog from '#models/audit_log'

function parse(value: string | null) {
  if (!value) return null
  try {
    return JSON.parse(value) as Record<string, unknown>
  } catch {
    return null
  }
}

export default class AuditLogTransformer extends BaseTransformer<AuditLog> {
  toObject() {
    const a = this.resource
    return {
      id: a.id,
      createdAt: a.createdAt.toISO(),
      actorId: a.actorId,
      actorLabel: a.actorLabel,
      action: a.action,
      targetType: a.targetType,
      targetId: a.targetId,
      targetLabel: a.targetLabel,
      before: parse(a.before),
      after: parse(a.after),
      ipAddress: a.ipAddress,
      userAgent: a.userAgent,
    }
  }
}
