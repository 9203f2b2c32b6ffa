/*
| Checks a queue's settings before they are saved, so the live call path never meets a queue it
| cannot run (an overflow to nowhere, a zero ring timeout). Issues carry a stable code, the field
| and i18n parameters, like the IVR flow validator.
*/

import { QUEUE_STRATEGIES } from './types.js'
import type { OverflowAction, QueueConfig } from './types.js'

export type QueueConfigIssueCode =
  | 'unknown_strategy'
  | 'out_of_range'
  | 'unknown_overflow_action'
  | 'overflow_target_required'
  | 'unknown_queue'

export interface QueueConfigIssue {
  code: QueueConfigIssueCode
  field: string
  params: Record<string, string | number>
}

/** Allowed ranges, in seconds; 0 disables maxWaitSeconds and announceEverySeconds. */
export const QUEUE_CONFIG_LIMITS = {
  ringTimeoutSeconds: { min: 5, max: 300 },
  wrapUpSeconds: { min: 0, max: 3600 },
  maxWaitSeconds: { min: 0, max: 86_400 },
  announceEverySeconds: { min: 0, max: 3600 },
  priority: { min: 0, max: 100 },
} as const

const OVERFLOW_ACTIONS: readonly OverflowAction[] = ['queue', 'voicemail', 'callback', 'hangup']

/**
 * Issues with a queue's settings; an empty list means it can be saved. `knownQueueIds`, when
 * given, is checked against an overflow to another queue.
 */
export function validateQueueConfig(
  config: QueueConfig,
  options: { knownQueueIds?: Iterable<string> } = {}
): QueueConfigIssue[] {
  const issues: QueueConfigIssue[] = []
  if (!QUEUE_STRATEGIES.includes(config.strategy)) {
    issues.push({ code: 'unknown_strategy', field: 'strategy', params: { value: config.strategy } })
  }
  for (const [field, { min, max }] of Object.entries(QUEUE_CONFIG_LIMITS)) {
    const value = config[field as keyof typeof QUEUE_CONFIG_LIMITS]
    if (!Number.isInteger(value) || value < min || value > max) {
      issues.push({ code: 'out_of_range', field, params: { min, max, value: String(value) } })
    }
  }

  const { action, target } = config.overflow
  if (!OVERFLOW_ACTIONS.includes(action)) {
    issues.push({
      code: 'unknown_overflow_action',
      field: 'overflow.action',
      params: { value: String(action) },
    })
  } else if (action === 'queue') {
    if (!target) {
      issues.push({ code: 'overflow_target_required', field: 'overflow.target', params: {} })
    } else if (options.knownQueueIds && !new Set(options.knownQueueIds).has(target)) {
      issues.push({ code: 'unknown_queue', field: 'overflow.target', params: { queueId: target } })
    }
  }
  return issues
}
