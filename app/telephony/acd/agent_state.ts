/*
| The agent state machine (坐席状态) and the time-per-state sums reports are built from.
|
| Call-flow events (offer, answer, ring_timeout, hangup, wrap_up_elapsed) are strict: a second
| offer to a ringing agent is a double booking, and must fail loudly. The agent's own requests
| (go_available, go_break, log_off) are idempotent where that is harmless, so a double click or a
| replayed request does not raise.
*/

import { AGENT_STATES } from './types.js'
import type { AgentState } from './types.js'

export type AgentEvent =
  /** The ACD offers a call: the agent's phone rings. */
  | { type: 'offer' }
  | { type: 'answer' }
  /** The offer was not answered in time, or the agent refused it: not ready until they say so. */
  | { type: 'ring_timeout' }
  /**
   * The call ended. On a call: wrap-up follows (with wrapUpSeconds 0, send wrap_up_elapsed right
   * after). While ringing: the caller gave up or the call went elsewhere; there is nothing to
   * wrap up, so the agent is available again.
   */
  | { type: 'hangup' }
  | { type: 'wrap_up_elapsed' }
  /** The reason (break_reason) is the caller's to store; it does not change the transition. */
  | { type: 'go_break'; reason: string }
  /** Also logs an offline agent on, ends wrap-up early and ends a break. */
  | { type: 'go_available' }
  | { type: 'log_off' }

export type AgentEventType = AgentEvent['type']

const TRANSITIONS: Record<AgentState, Partial<Record<AgentEventType, AgentState>>> = {
  available: {
    offer: 'ringing',
    go_available: 'available',
    go_break: 'break',
    log_off: 'offline',
  },
  ringing: {
    answer: 'on_call',
    ring_timeout: 'missed',
    hangup: 'available',
  },
  // Nothing but the end of the call: a break or log-off requested mid-call is the UI's to
  // remember and send after wrap-up.
  on_call: {
    hangup: 'wrap_up',
  },
  wrap_up: {
    wrap_up_elapsed: 'available',
    go_available: 'available',
    go_break: 'break',
    log_off: 'offline',
  },
  break: {
    go_break: 'break',
    go_available: 'available',
    log_off: 'offline',
  },
  missed: {
    go_available: 'available',
    go_break: 'break',
    log_off: 'offline',
  },
  // Logging on straight into a break ("not ready") is allowed.
  offline: {
    go_available: 'available',
    go_break: 'break',
    log_off: 'offline',
  },
}

export class IllegalAgentTransitionError extends Error {
  readonly code = 'E_ILLEGAL_AGENT_TRANSITION'
  readonly from: AgentState
  readonly event: AgentEventType

  constructor(from: AgentState, event: AgentEventType) {
    super(`Agent event "${event}" is not allowed in state "${from}"`)
    this.name = 'IllegalAgentTransitionError'
    this.from = from
    this.event = event
  }
}

/** Whether `event` is allowed in `state`; for handlers that prefer to ignore a stale timer. */
export function canTransition(state: AgentState, event: AgentEvent | AgentEventType): boolean {
  const type = typeof event === 'string' ? event : event.type
  return Object.hasOwn(TRANSITIONS, state) && Object.hasOwn(TRANSITIONS[state], type)
}

/** The state after `event`; throws IllegalAgentTransitionError when the event is not allowed. */
export function transition(state: AgentState, event: AgentEvent): AgentState {
  if (!canTransition(state, event)) throw new IllegalAgentTransitionError(state, event.type)
  return TRANSITIONS[state][event.type]!
}

/** A state change as logged: the agent entered `state` at `at` (ms). */
export interface AgentStateEntry {
  state: AgentState
  at: number
  /** For break entries: the break reason, for breakTimeByReason(). */
  reason?: string | null
}

/** The period a report covers, in ms; open ends are unbounded. */
export interface ReportWindow {
  from?: number
  /** Also closes the last entry's period; without it the last state counts nothing. */
  to?: number
}

interface Segment {
  entry: AgentStateEntry
  ms: number
}

/**
 * Each entry lasts until the next one (entries may come in any order; equal instants keep their
 * order, the later one winning), clipped to the window. A state entered before `from` counts
 * from `from`, which is how a shift that started yesterday shows up in today's report.
 */
function segments(entries: readonly AgentStateEntry[], window: ReportWindow): Segment[] {
  const from = window.from ?? Number.NEGATIVE_INFINITY
  const to = window.to ?? Number.NEGATIVE_INFINITY
  const sorted = entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => a.entry.at - b.entry.at || a.index - b.index)
    .map(({ entry }) => entry)
  const result: Segment[] = []
  for (const [index, entry] of sorted.entries()) {
    const end = index + 1 < sorted.length ? sorted[index + 1].at : to
    const ms = Math.min(end, window.to ?? end) - Math.max(entry.at, from)
    if (ms > 0) result.push({ entry, ms })
  }
  return result
}

/** Milliseconds spent in each agent state (every state present, 0 when never entered). */
export function timeInStates(
  entries: readonly AgentStateEntry[],
  window: ReportWindow = {}
): Record<AgentState, number> {
  const totals = Object.fromEntries(AGENT_STATES.map((state) => [state, 0])) as Record<
    AgentState,
    number
  >
  for (const { entry, ms } of segments(entries, window)) {
    // A state this code does not know (an old log row) is left out rather than turning into NaN.
    if (Object.hasOwn(totals, entry.state)) totals[entry.state] += ms
  }
  return totals
}

/** Milliseconds on break per reason (entries without a reason count under ''). */
export function breakTimeByReason(
  entries: readonly AgentStateEntry[],
  window: ReportWindow = {}
): Map<string, number> {
  const totals = new Map<string, number>()
  for (const { entry, ms } of segments(entries, window)) {
    if (entry.state !== 'break') continue
    const reason = entry.reason ?? ''
    totals.set(reason, (totals.get(reason) ?? 0) + ms)
  }
  return totals
}
