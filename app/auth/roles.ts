/**
 * Roles and the permission matrix. The matrix is code, not data: a permission is a promise the
 * server keeps in its policies, so changing it is a code review, not a click. Admins configure
 * per-role settings (MFA required) in the UI.
 */
export const ROLES = ['admin', 'supervisor', 'team_lead', 'agent'] as const
export type Role = (typeof ROLES)[number]

export const PERMISSIONS = [
  'users.view',
  'users.manage',
  'teams.view',
  'teams.manage',
  'roles.manage',
  'sessions.revoke_others',
  'audit.view',
  'audit.export',
  'health.view',
  // Calls: configuration of routes, IVR, queues and agents' phones; call records; recordings.
  'telephony.view',
  'telephony.manage',
  'calls.view',
  // Callback requests (回拨): see the list and cancel a pending one.
  'callbacks.manage',
  'recordings.listen',
  // In-call control from the web (保持, 转接) of another agent's live call; the agent on the call
  // always controls their own. A team lead's is narrowed to their team's agents by the policy.
  'calls.control',
  // Agents' status (坐席状态): the live board, and setting another agent available or offline.
  'agents.monitor',
  'agents.force_state',
] as const
export type Permission = (typeof PERMISSIONS)[number]

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  supervisor: [
    'users.view',
    'teams.view',
    'audit.view',
    'audit.export',
    'health.view',
    'telephony.view',
    'calls.view',
    'callbacks.manage',
    'recordings.listen',
    'calls.control',
    'agents.monitor',
    'agents.force_state',
  ],
  // A team lead's users.view, teams.view, calls.* and agents.* are narrowed to their own team
  // by the policies.
  team_lead: [
    'users.view',
    'teams.view',
    'calls.view',
    'calls.control',
    'agents.monitor',
    'agents.force_state',
  ],
  agent: [],
}

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission)
}

/** Roles for which MFA is mandatory unless an admin changes it. */
export const DEFAULT_MFA_REQUIRED: Record<Role, boolean> = {
  admin: true,
  supervisor: true,
  team_lead: false,
  agent: false,
}
