/*
| Overflow: where a caller goes once they have waited the queue's maxWaitSeconds. Pure time
| arithmetic; the call-handling code schedules a timer at overflowDueAt() and asks checkOverflow()
| when it fires (or on any other event), so a late or replayed timer still decides correctly.
*/

import type { OverflowAction, QueueConfig, QueuedCall } from './types.js'

export interface OverflowDecision {
  action: OverflowAction
  /** See QueueOverflow.target; null when the action needs none or the queue's own is meant. */
  target: string | null
  /** How long the caller had waited when the decision was taken. */
  waitedSeconds: number
}

type OverflowConfig = Pick<QueueConfig, 'maxWaitSeconds' | 'overflow'>

function hasWaitLimit(config: OverflowConfig): boolean {
  return Number.isFinite(config.maxWaitSeconds) && config.maxWaitSeconds > 0
}

/** When the call overflows, in ms, or null for a queue without a wait limit. */
export function overflowDueAt(
  call: Pick<QueuedCall, 'enteredAt'>,
  config: OverflowConfig
): number | null {
  if (!hasWaitLimit(config)) return null
  return call.enteredAt + config.maxWaitSeconds * 1000
}

/**
 * The overflow to carry out at `now`, or null while the caller may keep waiting. Reaching the
 * limit exactly counts as exceeded, so a timer set at overflowDueAt() fires an overflow.
 */
export function checkOverflow(
  call: Pick<QueuedCall, 'enteredAt'>,
  config: OverflowConfig,
  now: number
): OverflowDecision | null {
  const dueAt = overflowDueAt(call, config)
  if (dueAt === null || now < dueAt) return null
  return {
    action: config.overflow.action,
    target: config.overflow.target ?? null,
    waitedSeconds: Math.floor((now - call.enteredAt) / 1000),
  }
}
