/*
| The order in which waiting callers are served: priority first (a VIP jumps ahead of an earlier
| normal caller), then arrival. The call id settles exact ties so the order is the same on every
| run, which matters when two dispatch passes must agree.
*/

import type { QueuedCall } from './types.js'

export function compareQueuedCalls(a: QueuedCall, b: QueuedCall): number {
  if (a.priority !== b.priority) return b.priority - a.priority
  if (a.enteredAt !== b.enteredAt) return a.enteredAt - b.enteredAt
  return a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : 0
}

/** A new array of the calls in serving order: priority descending, then enteredAt ascending. */
export function orderQueue<T extends QueuedCall>(calls: readonly T[]): T[] {
  return [...calls].sort(compareQueuedCalls)
}

/**
 * The caller's 1-based place in the serving order ("you are caller number 2"), or null when the
 * call is not in the list. Callers with a higher priority count as ahead, whatever their arrival.
 */
export function position(callId: string, calls: readonly QueuedCall[]): number | null {
  const call = calls.find((candidate) => candidate.callId === callId)
  if (!call) return null
  // Counting who is ahead is O(n), with no sort, for a per-caller announcement.
  let ahead = 0
  for (const other of calls) {
    if (other !== call && compareQueuedCalls(other, call) < 0) ahead++
  }
  return ahead + 1
}
