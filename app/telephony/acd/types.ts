/*
| The data the ACD decides on. Plain values, no models: the call-handling code reads agents and
| calls from wherever it keeps live state, passes them in, and acts on the decision it gets back.
| Every instant is a number of milliseconds since the epoch, passed in by the caller, so a decision
| can be replayed (and tested) for any moment.
*/

/** What an agent is doing, as shown on the wallboard (坐席状态). */
export type AgentState =
  'available' | 'ringing' | 'on_call' | 'wrap_up' | 'break' | 'missed' | 'offline'

export const AGENT_STATES: readonly AgentState[] = [
  'available',
  'ringing',
  'on_call',
  'wrap_up',
  'break',
  'missed',
  'offline',
]

/** Skill levels run from 1 (novice) to 10 (expert); 0 or absent means the agent lacks the skill. */
export const MIN_SKILL_LEVEL = 1
export const MAX_SKILL_LEVEL = 10

/** One agent as the ACD sees it for one queue at one instant. */
export interface AgentCandidate {
  /** Stable id (the agent's database id as a string); also the round-robin order. */
  agentId: string
  state: AgentState
  /** When the agent last became available, in ms: the start of their current idle time. */
  availableSince: number
  /** When the agent was last offered a call, in ms, or null if never (today). */
  lastOfferedAt: number | null
  /** Calls answered today, for the fewest_calls_today strategy. */
  callsToday: number
  /** Skill name → level 1-10. */
  skills: Record<string, number>
  /** End of the current wrap-up, in ms; until then the agent is not offered calls. */
  wrapUpUntil?: number | null
}

/** A caller waiting in a queue. */
export interface QueuedCall {
  callId: string
  /** When the caller entered the queue, in ms. */
  enteredAt: number
  /** Higher is served first (a VIP tier maps to a higher number); equal priorities keep arrival order. */
  priority: number
  /** The skill the call needs, e.g. chosen in the IVR; absent means any agent of the queue will do. */
  requiredSkill?: string | null
  /** Lowest acceptable level of requiredSkill; defaults to 1. */
  minSkillLevel?: number | null
  /** Agents who already missed or refused this call; they are not offered it again. */
  excludedAgentIds: readonly string[]
}

export type QueueStrategy = 'longest_idle' | 'round_robin' | 'fewest_calls_today' | 'skills_based'

export const QUEUE_STRATEGIES: readonly QueueStrategy[] = [
  'longest_idle',
  'round_robin',
  'fewest_calls_today',
  'skills_based',
]

/** Where a caller goes once they have waited maxWaitSeconds. */
export type OverflowAction = 'queue' | 'voicemail' | 'callback' | 'hangup'

export interface QueueOverflow {
  action: OverflowAction
  /**
   * For 'queue': the id of the queue to move the caller to (required). For 'voicemail': the
   * mailbox, when it is not the queue's own. Unused by 'callback' and 'hangup'.
   */
  target?: string | null
}

export interface QueueConfig {
  strategy: QueueStrategy
  /** How long an offer rings an agent before it counts as missed. */
  ringTimeoutSeconds: number
  /** Wrap-up time after each call, before the agent is offered the next one. */
  wrapUpSeconds: number
  /** Longest a caller waits before overflow; 0 (or less) means no limit. */
  maxWaitSeconds: number
  overflow: QueueOverflow
  /** Interval of position / estimated-wait announcements; 0 disables them. */
  announceEverySeconds: number
  /** When an agent serves several queues, the queue with the higher priority is served first. */
  priority: number
}
