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
  checks: Record<
    string,
    { status: CheckStatus; detail?: string; latencyMs?: number; role?: 'active' | 'standby' }
  >
}

export const USER_SORTS = ['full_name', 'email', 'role', 'last_sign_in_at', 'created_at'] as const
export type UserSort = (typeof USER_SORTS)[number]

export const AUDIT_SORTS = ['created_at', 'action', 'actor_label'] as const
export type AuditSort = (typeof AUDIT_SORTS)[number]

export type SortOrder = 'asc' | 'desc'

/* ---------- calls configuration and call records (app/transformers/*) ---------- */

export interface IdName {
  id: number
  name: string
}

export type TelephonyWeekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun'
export const TELEPHONY_WEEKDAYS: TelephonyWeekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']

export interface TimeRange {
  start: string
  end: string
}

export interface CalendarHoliday {
  date: string
  name?: string | null
  hours?: TimeRange[] | null
}

export interface CalendarWorkdayOverride extends CalendarHoliday {
  sameAs?: TelephonyWeekday | null
}

export interface BusinessCalendar {
  id: number
  name: string
  timeZone: string
  weekly: Partial<Record<TelephonyWeekday, TimeRange[]>>
  holidays: CalendarHoliday[]
  workdayOverrides: CalendarWorkdayOverride[]
  updatedAt: string
}

export const ROUTE_TARGET_TYPES = ['ivr', 'queue', 'agent'] as const
export type RouteTargetType = (typeof ROUTE_TARGET_TYPES)[number]
export const CLOSED_TARGET_TYPES = ['ivr', 'queue', 'agent', 'voicemail', 'hangup'] as const
export type ClosedTargetType = (typeof CLOSED_TARGET_TYPES)[number]

export interface InboundRoute {
  id: number
  name: string
  didPattern: string
  callerPattern: string | null
  priority: number
  targetType: RouteTargetType
  targetId: number
  calendarId: number | null
  calendarName: string | null
  closedTargetType: ClosedTargetType | null
  closedTargetId: number | null
  enabled: boolean
  updatedAt: string
}

export interface RouteTargets {
  calendars: IdName[]
  ivrFlows: IdName[]
  queues: IdName[]
  agents: Array<{ id: number; fullName: string }>
}

export const IVR_NODE_TYPES = ['play', 'menu', 'collect', 'queue', 'voicemail', 'transfer', 'hangup', 'hours'] as const
export type IvrNodeType = (typeof IVR_NODE_TYPES)[number]

/** One IVR node as stored (app/telephony/ivr/types.ts); loosely typed: the editor edits JSON. */
export interface IvrNode {
  type: IvrNodeType
  [key: string]: unknown
}

export interface IvrFlowSummary {
  id: number
  name: string
  entryNode: string
  version: number
  nodeCount: number
  updatedBy: number | null
  updatedAt: string
}

export interface IvrFlowDetail extends IvrFlowSummary {
  nodes: Record<string, IvrNode>
}

export interface IvrIssue {
  severity: 'error' | 'warning'
  code: string
  nodeId: string | null
  params: Record<string, string | number>
  message: string
}

export interface IvrChoices {
  queues: Array<{ id: string; name: string }>
  prompts: Array<{ id: string; name: string; kind: string; sound: string | null; durationMs: number | null }>
  calendars: Array<{ id: string; name: string }>
}

export const QUEUE_STRATEGIES = ['longest_idle', 'round_robin', 'fewest_calls_today', 'skills_based'] as const
export type QueueStrategy = (typeof QUEUE_STRATEGIES)[number]
export const OVERFLOW_ACTIONS = ['voicemail', 'queue', 'callback', 'hangup'] as const
export type OverflowAction = (typeof OVERFLOW_ACTIONS)[number]

export interface CallQueue {
  id: number
  name: string
  strategy: QueueStrategy
  requiredSkillId: number | null
  requiredSkillName: string | null
  requiredSkillLevel: number
  priority: number
  ringTimeoutSeconds: number
  wrapUpSeconds: number
  maxWaitSeconds: number
  overflowAction: OverflowAction
  overflowTarget: string | null
  announceEverySeconds: number
  musicOnHold: string
  recordingRetentionDays: number
  serviceLevelSeconds: number
  memberCount: number
  updatedAt: string
}

export interface QueueMember {
  userId: number
  fullName: string | null
  email: string | null
  penalty: number
}

export interface CallQueueDetail extends CallQueue {
  members: QueueMember[]
}

export interface QueueChoices {
  skills: IdName[]
  agents: Array<{ id: number; fullName: string; teamId: number | null }>
  strategies: QueueStrategy[]
  overflowActions: OverflowAction[]
}

export type PromptKind = 'builtin' | 'upload'

export interface Prompt {
  id: number
  name: string
  kind: PromptKind
  /** Asterisk sound name of a builtin prompt. */
  sound: string | null
  durationMs: number | null
  /** An uploaded prompt whose converted file can be previewed. */
  hasAudio: boolean
  updatedAt: string | null
}

export interface PromptLimits {
  maxSeconds: number
  maxBytes: number
  extnames: string[]
}

export type VoicemailScope = 'all' | 'team' | 'own'

export interface VoicemailMessage {
  id: number
  receivedAt: string
  durationMs: number
  /** The call's uuid. */
  callId: string | null
  callerNumber: string | null
  callerName: string | null
  queue: IdName | null
  agent: { id: number; fullName: string } | null
  listenedAt: string | null
  listenedBy: { id: number; fullName: string } | null
  hasAudio: boolean
  deleted: boolean
}

export const CALLBACK_STATUSES = ['pending', 'dialing', 'done', 'failed', 'cancelled'] as const
export type CallbackStatus = (typeof CALLBACK_STATUSES)[number]

export interface CallbackRequest {
  id: number
  number: string
  status: CallbackStatus
  queue: IdName | null
  enteredAt: string
  requestedAt: string
  handledAt: string | null
  handledBy: { id: number; fullName: string } | null
  callId: string | null
}

export interface Skill {
  id: number
  name: string
  agents: number
}

export interface BreakReason {
  id: number
  code: string
  /** Digits dialled after *22 on a phone; null for none. */
  dialCode: string | null
  nameEn: string
  nameZhCn: string
  active: boolean
}

export const DEVICE_TRANSPORTS = ['udp', 'webrtc'] as const
export type DeviceTransport = (typeof DEVICE_TRANSPORTS)[number]

export const AGENT_STATES = ['available', 'ringing', 'on_call', 'wrap_up', 'break', 'missed', 'offline'] as const
export type AgentStateName = (typeof AGENT_STATES)[number]

export interface AgentDevice {
  id: number
  userId?: number
  endpoint: string
  transport: DeviceTransport
  secretRotatedAt: string
  lastRegisteredAt: string | null
  lastContact: string | null
  lastUserAgent: string | null
  lastIp: string | null
  createdAt?: string
}

export interface AgentAdmin {
  id: number
  fullName: string
  email: string
  role: Role
  teamId: number | null
  teamName: string | null
  isDisabled: boolean
  devices: AgentDevice[]
  skills: Array<{ skillId: number; name: string | null; level: number }>
  queues: Array<{ queueId: number; name: string; penalty: number }>
  state: { state: AgentStateName; reason: string | null; since: string } | null
}

export const CALL_DIRECTIONS = ['inbound', 'outbound', 'internal'] as const
export type CallDirection = (typeof CALL_DIRECTIONS)[number]
export type CallOutcome = 'answered' | 'abandoned' | 'unanswered'

export const CALL_EVENT_TYPES = [
  'route_selected',
  'ivr_node',
  'ivr_digits',
  'queue_entered',
  'queue_left',
  'offered',
  'ring_no_answer',
  'answered',
  'abandoned',
  'transferred',
  'hold',
  'unhold',
  'recording_started',
  'recording_finished',
  'voicemail',
  'callback_requested',
  'ended',
] as const
export type CallEventType = (typeof CALL_EVENT_TYPES)[number]

export interface CallRecord {
  id: string
  direction: CallDirection
  did: string | null
  callerNumber: string | null
  callerName: string | null
  customer: { id: number; name: string; tier: string | null } | null
  startedAt: string
  answeredAt: string | null
  endedAt: string | null
  endCause: string | null
  queue: IdName | null
  agent: { id: number; fullName: string } | null
  waitSeconds: number
  talkSeconds: number
  holdSeconds: number
  wrapUpSeconds: number
  transferred: boolean
  abandoned: boolean
  hasRecording: boolean
  state: string
  outcome: CallOutcome
}

export interface CallLeg {
  channelId: string
  kind: string
  endpoint: string | null
  userId: number | null
  startedAt: string
  answeredAt: string | null
  endedAt: string | null
  cause: string | null
}

export interface CallEvent {
  /** Epoch milliseconds. */
  at: number
  type: CallEventType | string
  data: Record<string, unknown> | null
}

export interface CallRecording {
  id: number
  /** When the recording was made; the player and download use `/recordings/<id>`. */
  createdAt: string | null
  format: string
  durationMs: number | null
  bytes: number | null
  encrypted: boolean
  retentionUntil: string | null
  deleted: boolean
}

export interface CallRecordDetail extends CallRecord {
  route: IdName | null
  ivrFlow: { id: number; name: string | null; version: number | null } | null
  legs: CallLeg[]
  events: CallEvent[]
  recordings: CallRecording[]
}

/** What the transfer dialog offers (app/services/call_control.ts). */
export interface CallControlOptions {
  queues: IdName[]
  /** Enabled agents with a phone, other than the one on the call. */
  agents: { id: number; fullName: string }[]
  /** An outbound trunk is configured: outside numbers can be dialled. */
  canDialOut: boolean
}

/** A call in a conversation (app/transformers/live_call_transformer.ts). */
export interface LiveCall {
  id: string
  callerNumber: string | null
  callerName: string | null
  /** When the conversation began. */
  since: string
  queue: IdName | null
  agentId: number | null
  onHold: boolean
}

/** POST /calls/:uuid/commands: the worker's answer, or 'timeout' (app/actions/calls). */
export interface CallCommandOutcome {
  status: 'done' | 'failed'
  result: string
  message: string
}

export const CALL_SORTS = ['started_at', 'wait_seconds', 'talk_seconds', 'caller_number'] as const
export type CallSort = (typeof CALL_SORTS)[number]
