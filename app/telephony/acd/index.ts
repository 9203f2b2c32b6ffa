/*
| The ACD (queues and agent selection) as pure functions: live state in, decisions out. No
| AdonisJS, no database, no clock; the call-handling code owns all of those.
*/

export * from './types.js'
export {
  compareAgentIds,
  isEligible,
  isQualified,
  rankAgents,
  selectAgent,
  skillLevel,
} from './strategies.js'
export type { AgentSelection } from './strategies.js'
export { compareQueuedCalls, orderQueue, position } from './queue_order.js'
export { matchAcrossQueues, matchCallsToAgents } from './matching.js'
export type {
  Assignment,
  DispatchResult,
  MatchResult,
  QueueAssignment,
  QueueToDispatch,
} from './matching.js'
export {
  WAIT_ESTIMATE_DEFAULTS,
  averageHandleTime,
  countStaffedAgents,
  estimateWait,
  roundWaitForAnnouncement,
} from './wait_estimate.js'
export type { WaitAnnouncement, WaitEstimateOptions } from './wait_estimate.js'
export { checkOverflow, overflowDueAt } from './overflow.js'
export type { OverflowDecision } from './overflow.js'
export {
  IllegalAgentTransitionError,
  breakTimeByReason,
  canTransition,
  timeInStates,
  transition,
} from './agent_state.js'
export type { AgentEvent, AgentEventType, AgentStateEntry, ReportWindow } from './agent_state.js'
export { QUEUE_CONFIG_LIMITS, validateQueueConfig } from './validate_queue_config.js'
export type { QueueConfigIssue, QueueConfigIssueCode } from './validate_queue_config.js'
