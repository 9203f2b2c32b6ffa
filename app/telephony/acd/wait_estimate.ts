/*
| Estimated wait for announcements ("your estimated wait is about 2 minutes").
|
| Formula: estimate = position × AHT ÷ staffedAgents, rounded to whole seconds and capped at
| maxEstimateSeconds, where
|   - position is the caller's 1-based place in the queue (see position());
|   - AHT is the mean of the recent handle times (talk + hold + wrap-up, as in the KPI), after
|     dropping samples that are not positive numbers and capping each at maxHandleTimeSeconds so a
|     call left open for hours does not dominate; with no usable sample, defaultHandleTimeSeconds;
|   - staffedAgents are the agents working the queue (available, ringing, on a call or in wrap-up):
|     with all of them busy, one of them frees up every AHT ÷ staffedAgents on average, and the
|     caller needs `position` of those.
| It assumes every agent is busy, which is when an announcement is played at all. It needs no
| clock: the caller chooses which handle times count as recent.
*/

import type { AgentCandidate, AgentState } from './types.js'

export interface WaitEstimateOptions {
  /** AHT assumed when there are no usable samples (a new queue, the first call of the day). */
  defaultHandleTimeSeconds?: number
  /** Each sample is capped here. */
  maxHandleTimeSeconds?: number
  /** The estimate itself is capped here; beyond it, "more than an hour" is all a caller needs. */
  maxEstimateSeconds?: number
}

export const WAIT_ESTIMATE_DEFAULTS: Required<WaitEstimateOptions> = {
  defaultHandleTimeSeconds: 180,
  maxHandleTimeSeconds: 3600,
  maxEstimateSeconds: 3600,
}

const STAFFED_STATES: ReadonlySet<AgentState> = new Set([
  'available',
  'ringing',
  'on_call',
  'wrap_up',
])

/** Agents who take calls in this queue now or soon: not on break, not missed, not offline. */
export function countStaffedAgents(candidates: readonly AgentCandidate[]): number {
  return new Set(
    candidates.filter((agent) => STAFFED_STATES.has(agent.state)).map((agent) => agent.agentId)
  ).size
}

/** Mean of the usable samples, or the default when there are none. */
export function averageHandleTime(
  recentHandleTimesSeconds: readonly number[],
  options: WaitEstimateOptions = {}
): number {
  const { defaultHandleTimeSeconds, maxHandleTimeSeconds } = {
    ...WAIT_ESTIMATE_DEFAULTS,
    ...options,
  }
  const usable = recentHandleTimesSeconds
    .filter((seconds) => Number.isFinite(seconds) && seconds > 0)
    .map((seconds) => Math.min(seconds, maxHandleTimeSeconds))
  if (usable.length === 0) return defaultHandleTimeSeconds
  return usable.reduce((sum, seconds) => sum + seconds, 0) / usable.length
}

/**
 * Estimated wait in seconds for the caller at `position` (formula above). Null when no agent is
 * staffed: nobody will answer, so no wait should be promised. Position 0 or less (being offered
 * already) estimates 0.
 */
export function estimateWait(
  position: number,
  recentHandleTimesSeconds: readonly number[],
  staffedAgents: number,
  options: WaitEstimateOptions = {}
): number | null {
  if (!Number.isFinite(staffedAgents) || staffedAgents < 1) return null
  if (!Number.isFinite(position) || position <= 0) return 0
  const { maxEstimateSeconds } = { ...WAIT_ESTIMATE_DEFAULTS, ...options }
  const aht = averageHandleTime(recentHandleTimesSeconds, options)
  return Math.min(Math.round((position * aht) / Math.floor(staffedAgents)), maxEstimateSeconds)
}

/**
 * What to say about a wait, for the prompt builder and i18n (keys such as
 * `acd.wait.about_minutes` with `{ minutes }`):
 * - under a minute: less_than_a_minute;
 * - under 10 minutes: about N minutes, to the nearest minute (90 s is "about 2 minutes");
 * - longer: about N minutes to the nearest 5, up to maxMinutes, beyond which more_than_minutes.
 */
export type WaitAnnouncement =
  | { kind: 'less_than_a_minute' }
  | { kind: 'about_minutes'; minutes: number }
  | { kind: 'more_than_minutes'; minutes: number }

export function roundWaitForAnnouncement(seconds: number, maxMinutes = 60): WaitAnnouncement {
  // Written so that NaN lands here too rather than in "about NaN minutes".
  if (!(seconds >= 60)) return { kind: 'less_than_a_minute' }
  const minutes = seconds / 60
  // At the cap the estimate is a lower bound (estimateWait caps it), so "more than" is the truth.
  if (minutes >= maxMinutes) return { kind: 'more_than_minutes', minutes: maxMinutes }
  const rounded = minutes < 10 ? Math.round(minutes) : Math.round(minutes / 5) * 5
  return { kind: 'about_minutes', minutes: Math.min(rounded, maxMinutes) }
}
