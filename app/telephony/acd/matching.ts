/*
| Matching a whole queue at once: what the dispatcher runs whenever an agent becomes free or a
| call arrives.
|
| Taking callers one by one and giving each its strategy's favourite agent can strand a caller:
| with agents X (billing 8, English 9) and Y (billing 3), a billing caller at the head takes X and
| the English caller behind waits while Y sits idle. So matching runs in two passes:
|
| 1. Which calls are served: callers in queue order, each one served if an agent can be found
|    for it, possibly by moving an earlier caller to another agent it also accepts (augmenting
|    paths). This serves as many callers as possible, and never leaves a caller waiting so that a
|    caller behind it is served instead.
| 2. Who serves them: again in queue order, each served call gets the best agent by the queue's
|    strategy among those that still leave every other served call an agent.
|
| When every agent qualifies for every call (no skills, no exclusions), this is the same as
| handing agents out in strategy order to callers in queue order.
*/

import { orderQueue } from './queue_order.js'
import { isEligible, rankAgents } from './strategies.js'
import type { AgentCandidate, QueueConfig, QueuedCall } from './types.js'

export interface Assignment {
  call: QueuedCall
  agent: AgentCandidate
}

export interface MatchResult {
  /** Offers to make now, in queue order; each agent and each call appears at most once. */
  assignments: Assignment[]
  /** The queue's round-robin cursor after these offers (see selectAgent). */
  cursor: string | null
}

/**
 * Who sits where during matching: call index ↔ agent id. `seat` is Kuhn's augmenting path: it
 * gives a call an agent, re-seating already seated calls along the way if needed, and changes
 * nothing unless it succeeds.
 */
class Seating {
  readonly agentOf = new Map<number, string>()
  readonly callOf = new Map<string, number>()

  constructor(private readonly eligible: string[][]) {}

  /** Agents in `blocked` are neither taken nor re-seated. */
  seat(index: number, blocked: Set<string>): boolean {
    for (const agentId of this.eligible[index]) {
      if (blocked.has(agentId)) continue
      blocked.add(agentId)
      const holder = this.callOf.get(agentId)
      if (holder === undefined || this.seat(holder, blocked)) {
        this.agentOf.set(index, agentId)
        this.callOf.set(agentId, index)
        return true
      }
    }
    return false
  }

  /**
   * Seats call `index` on `agentId`; whoever sat there must find another agent outside `fixed`.
   * Undone when that fails (seat() itself changes nothing when it fails).
   */
  move(index: number, agentId: string, fixed: ReadonlySet<string>): boolean {
    const current = this.agentOf.get(index)
    if (current === agentId) return true
    const displaced = this.callOf.get(agentId)

    if (current !== undefined) this.callOf.delete(current)
    this.agentOf.set(index, agentId)
    this.callOf.set(agentId, index)
    if (displaced === undefined) return true

    this.agentOf.delete(displaced)
    if (this.seat(displaced, new Set([...fixed, agentId]))) return true

    this.agentOf.set(displaced, agentId)
    this.callOf.set(agentId, displaced)
    if (current === undefined) {
      this.agentOf.delete(index)
    } else {
      this.agentOf.set(index, current)
      this.callOf.set(current, index)
    }
    return false
  }
}

/**
 * Offers to make for a queue at `now`. Pass only calls with no offer in progress; agents already
 * ringing are not available, so they are skipped anyway. A call no free agent qualifies for is
 * skipped, not a blocker: the callers behind it can still be served.
 */
export function matchCallsToAgents(
  calls: readonly QueuedCall[],
  candidates: readonly AgentCandidate[],
  config: Pick<QueueConfig, 'strategy'>,
  now: number,
  roundRobinCursor: string | null = null
): MatchResult {
  const ordered = orderQueue(calls)
  const agents = uniqueAgents(candidates)
  const seating = new Seating(
    ordered.map((call) =>
      agents.filter((agent) => isEligible(agent, call, now)).map((agent) => agent.agentId)
    )
  )

  // Pass 1, in queue order, so an earlier caller is never displaced to serve a later one. The
  // agents a failed search went through only lead to seated agents, and stay so, since no later
  // augmenting path can pass through them: they are skipped from then on (`dead`), which keeps a
  // long queue behind a full team cheap.
  const served: number[] = []
  let dead = new Set<string>()
  for (let index = 0; index < ordered.length && seating.callOf.size < agents.length; index++) {
    const visited = new Set(dead)
    if (seating.seat(index, visited)) served.push(index)
    else dead = visited
  }

  // Pass 2: each served call, in queue order, settles on the best agent that keeps the others
  // seated. Its current agent is in its ranking, so some attempt always succeeds.
  const fixed = new Set<string>()
  const assignments: Assignment[] = []
  let cursor = roundRobinCursor
  for (const index of served) {
    const call = ordered[index]
    const open = agents.filter((agent) => !fixed.has(agent.agentId))
    for (const preferred of rankAgents(call, open, config, now, cursor)) {
      if (!seating.move(index, preferred.agentId, fixed)) continue
      fixed.add(preferred.agentId)
      assignments.push({ call, agent: preferred })
      cursor = preferred.agentId
      break
    }
  }
  return { assignments, cursor }
}

export interface QueueToDispatch {
  queueId: string
  config: Pick<QueueConfig, 'strategy' | 'priority'>
  /** Waiting calls of this queue with no offer in progress. */
  calls: readonly QueuedCall[]
  /** The queue's members, with their skills for this queue. */
  candidates: readonly AgentCandidate[]
  roundRobinCursor?: string | null
}

export interface QueueAssignment extends Assignment {
  queueId: string
}

export interface DispatchResult {
  assignments: QueueAssignment[]
  /** New round-robin cursor of every queue passed in. */
  cursors: Record<string, string | null>
}

/**
 * Matching for agents who belong to several queues: queues are served one after the other, by
 * queue priority (highest first), then the queue whose first caller has waited longest, then
 * queue id; an agent given a call by one queue is not offered to the next.
 */
export function matchAcrossQueues(queues: readonly QueueToDispatch[], now: number): DispatchResult {
  const oldestWait = (queue: QueueToDispatch) =>
    Math.min(Number.POSITIVE_INFINITY, ...queue.calls.map((call) => call.enteredAt))
  const ordered = [...queues].sort(
    (a, b) =>
      b.config.priority - a.config.priority ||
      oldestWait(a) - oldestWait(b) ||
      (a.queueId < b.queueId ? -1 : a.queueId > b.queueId ? 1 : 0)
  )

  const busy = new Set<string>()
  const assignments: QueueAssignment[] = []
  const cursors: [string, string | null][] = []
  for (const queue of ordered) {
    const free = queue.candidates.filter((agent) => !busy.has(agent.agentId))
    const cursor = queue.roundRobinCursor ?? null
    const result = matchCallsToAgents(queue.calls, free, queue.config, now, cursor)
    for (const assignment of result.assignments) {
      busy.add(assignment.agent.agentId)
      assignments.push({ ...assignment, queueId: queue.queueId })
    }
    cursors.push([queue.queueId, result.cursor])
  }
  // fromEntries defines own properties, so a queue id like '__proto__' cannot reach the prototype.
  return { assignments, cursors: Object.fromEntries(cursors) }
}

/** The first entry of each agent id: an agent listed twice must still get at most one call. */
function uniqueAgents(candidates: readonly AgentCandidate[]): AgentCandidate[] {
  const seen = new Set<string>()
  return candidates.filter((agent) => {
    if (seen.has(agent.agentId)) return false
    seen.add(agent.agentId)
    return true
  })
}
