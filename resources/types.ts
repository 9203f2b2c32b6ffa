/**
 * Shapes of the props the server sends. Role and permission names come from the server's own
 * matrix so a renamed permission fails the type check here too; the rest mirrors
 * app/transformers/*.ts and app/middleware/inertia_middleware.ts.
 */
import type { Permission, Role } from '../app/auth/roles'

export type { Permission, Role }

export type Locale = 'en' | 'zh-CN'

export interface AuthUser {
  id: number
  fullName: string
  email: string
  role: Role
  teamId: number | null
  mfaEnabled: boolean
  permissions: Permission[]
}

export interface SharedProps {
  errors: Record<string, string>
  locale: Locale
  csrfToken: string
  auth: AuthUser | null
}

export interface FlashBag {
  success: string | null
  notice: string | null
  sessionEnded: string | null
}

declare module '@inertiajs/core' {
  export interface InertiaConfig {
    sharedPageProps: SharedProps
    flashDataType: FlashBag
  }
}

/** Lucid's paginator meta (getMeta()). */
export interface PaginationMeta {
  total: number
  perPage: number
  currentPage: number
  lastPage: number
  firstPage?: number
}

export interface User {
  id: number
  fullName: string
  email: string
  role: Role
  teamId: number | null
  teamName: string | null
  locale: string
  isDisabled: boolean
  lockedAt: string | null
  lockReason: string | null
  mfaEnabled: boolean
  lastSignInAt: string | null
  createdAt: string
  activeSessions: number
}

export interface Team {
  id: number
  name: string
  description: string | null
  members: number
}

export interface UserSession {
  id: number
  device: string | null
  ipAddress: string | null
  userAgent: string | null
  createdAt: string
  lastSeenAt: string
  endedAt: string | null
  endReason: string | null
  current: boolean
}

export interface AuditEntry {
  id: number
  createdAt: string
  actorId: number | null
  actorLabel: string | null
  action: string
  targetType: string | null
  targetId: string | number | null
  targetLabel: string | null
  before: Record<string, unknown> | null
  after: Record<string, unknown> | null
  ipAddress: string | null
  userAgent: string | null
}

export interface SecuritySettings {
  mfaRequired: Record<Role, boolean>
  singleSession: boolean
  idleTimeoutMinutes: number
  absoluteTimeoutHours: number
}

export type CheckStatus = 'ok' | 'down'

export interface HealthReport {
  status: 'ok' | 'degraded' | 'down'
  checkedAt: string
  checks: Record<string, { status: CheckStatus; detail?: string; latencyMs?: number }>
}

export const USER_SORTS = ['full_name', 'email', 'role', 'last_sign_in_at', 'created_at'] as const
export type UserSort = (typeof USER_SORTS)[number]

export const AUDIT_SORTS = ['created_at', 'action', 'actor_label'] as const
export type AuditSort = (typeof AUDIT_SORTS)[number]

export type SortOrder = 'asc' | 'desc'
