/*
| Checks an IVR flow before it is saved. Every issue has a stable code, the node it concerns and
| plain parameters, so the editor can highlight the node and translate the message
| (`ivr.validation.<code>`). Errors block saving; warnings are shown but do not.
|
| The graph checks follow what a caller can actually do: from every place in the flow, some path
| must lead out of the IVR. A menu that sends a wrong key back to itself is fine as long as one
| of its keys leads somewhere; a set of nodes that only lead to each other traps the caller.
*/

import { DTMF_KEYS, IVR_LIMITS, SOUND_NAME_PATTERN, TERMINAL_NODE_TYPES } from './types.js'
import type { IvrFlow, IvrNode, PromptRef } from './types.js'

export type FlowErrorCode =
  | 'missing_entry'
  | 'unknown_node_type'
  | 'dangling_branch'
  | 'loop_without_exit'
  | 'missing_prompt'
  | 'invalid_sound_name'
  | 'menu_without_options'
  | 'invalid_digit'
  | 'duplicate_digit'
  | 'retries_out_of_range'
  | 'timeout_out_of_range'
  | 'digits_out_of_range'
  | 'invalid_terminator'
  | 'invalid_variable_name'
  | 'unknown_queue'
  | 'unknown_agent'
  | 'invalid_voicemail_target'
  | 'unknown_calendar'
  | 'invalid_transfer_number'

export type FlowWarningCode = 'unreachable_node' | 'loop_without_input'

export type FlowIssueParams = Record<string, string | number>

export type FlowIssue =
  | { severity: 'error'; code: FlowErrorCode; nodeId: string | null; params: FlowIssueParams }
  | { severity: 'warning'; code: FlowWarningCode; nodeId: string | null; params: FlowIssueParams }

export interface FlowValidationContext {
  knownQueueIds: Iterable<string>
  knownPromptIds: Iterable<string>
  knownCalendarIds: Iterable<string>
  /** Checked for voicemail to an agent when given. */
  knownAgentIds?: Iterable<string>
}

export interface FlowValidation {
  /** False when there is any error: the flow must not be saved. */
  valid: boolean
  errors: FlowIssue[]
  warnings: FlowIssue[]
}

/**
 * The names a collect node may store digits under: usable as a key anywhere downstream, and
 * starting with a letter so that '__proto__' and its like are out.
 */
export const VARIABLE_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,63}$/

/** An outside number: digits, optionally international; nothing a dial string could misread. */
export const TRANSFER_NUMBER_PATTERN = /^\+?[0-9]{2,20}$/

/** Where a branch of a node leads; `digit` for menu options. */
export interface FlowBranch {
  branch: 'next' | 'option' | 'onTimeout' | 'onInvalid' | 'fallback' | 'open' | 'closed'
  target: string
  digit?: string
}

/** The branches a node has, as configured (unset optional branches left out). */
export function branchesOf(node: IvrNode): FlowBranch[] {
  switch (node.type) {
    case 'play':
      return [{ branch: 'next', target: node.next }]
    case 'menu':
      return [
        ...(Array.isArray(node.options) ? node.options : []).map((option) => ({
          branch: 'option' as const,
          target: option.next,
          digit: option.digit,
        })),
        ...(node.onTimeout ? [{ branch: 'onTimeout' as const, target: node.onTimeout }] : []),
        ...(node.onInvalid ? [{ branch: 'onInvalid' as const, target: node.onInvalid }] : []),
      ]
    case 'collect':
      return [
        { branch: 'next', target: node.next },
        ...(node.fallback ? [{ branch: 'fallback' as const, target: node.fallback }] : []),
      ]
    case 'hours':
      return [
        { branch: 'open', target: node.open },
        { branch: 'closed', target: node.closed },
      ]
    default:
      return []
  }
}

/**
 * Whether the IVR can end at this node: a terminal node, or a menu or collect whose failure
 * branch is unset, since running out of retries there hangs up.
 */
function canEndHere(node: IvrNode): boolean {
  if (TERMINAL_NODE_TYPES.has(node.type)) return true
  if (node.type === 'menu') return !node.onTimeout || !node.onInvalid
  if (node.type === 'collect') return !node.fallback
  return false
}

const NODE_TYPES: ReadonlySet<string> = new Set([
  'play',
  'menu',
  'collect',
  'queue',
  'voicemail',
  'transfer',
  'hangup',
  'hours',
])

export function validateFlow(flow: IvrFlow, context: FlowValidationContext): FlowValidation {
  const known = {
    queues: new Set(context.knownQueueIds),
    prompts: new Set(context.knownPromptIds),
    calendars: new Set(context.knownCalendarIds),
    agents: context.knownAgentIds ? new Set(context.knownAgentIds) : null,
  }
  const errors: FlowIssue[] = []
  const warnings: FlowIssue[] = []
  const error = (code: FlowErrorCode, nodeId: string | null, params: FlowIssueParams = {}) =>
    errors.push({ severity: 'error', code, nodeId, params })
  const warning = (code: FlowWarningCode, nodeId: string | null, params: FlowIssueParams = {}) =>
    warnings.push({ severity: 'warning', code, nodeId, params })

  const nodes = new Map<string, IvrNode>()
  for (const [id, node] of Object.entries(flow.nodes ?? {})) {
    if (node && NODE_TYPES.has(node.type)) nodes.set(id, node)
    else error('unknown_node_type', id, { type: String(node?.type) })
  }

  const entryExists = Boolean(flow.entryNodeId) && nodes.has(flow.entryNodeId)
  if (!entryExists) error('missing_entry', null, { entryNodeId: String(flow.entryNodeId ?? '') })

  const checkPrompt = (nodeId: string, field: string, prompt: PromptRef | null | undefined) => {
    if (prompt?.kind === 'builtin') {
      if (typeof prompt.sound !== 'string' || prompt.sound.trim() === '') {
        error('missing_prompt', nodeId, { field })
      } else if (!SOUND_NAME_PATTERN.test(prompt.sound)) {
        error('invalid_sound_name', nodeId, { field, sound: prompt.sound })
      }
    } else if (prompt?.kind === 'upload') {
      if (!known.prompts.has(prompt.promptId)) {
        error('missing_prompt', nodeId, { field, promptId: String(prompt.promptId) })
      }
    } else {
      error('missing_prompt', nodeId, { field })
    }
  }

  const checkRange = (
    nodeId: string,
    code: 'retries_out_of_range' | 'timeout_out_of_range',
    field: string,
    value: number,
    { min, max }: { min: number; max: number }
  ) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      error(code, nodeId, { field, value: String(value), min, max })
    }
  }

  for (const [id, node] of nodes) {
    for (const { branch, target, digit } of branchesOf(node)) {
      if (!nodes.has(target)) {
        error('dangling_branch', id, {
          branch,
          target: String(target ?? ''),
          ...(digit === undefined ? {} : { digit }),
        })
      }
    }

    switch (node.type) {
      case 'play':
        checkPrompt(id, 'prompt', node.prompt)
        break
      case 'menu': {
        checkPrompt(id, 'prompt', node.prompt)
        if (node.invalidPrompt) checkPrompt(id, 'invalidPrompt', node.invalidPrompt)
        checkRange(id, 'retries_out_of_range', 'maxRetries', node.maxRetries, IVR_LIMITS.maxRetries)
        checkRange(
          id,
          'timeout_out_of_range',
          'timeoutSeconds',
          node.timeoutSeconds,
          IVR_LIMITS.timeoutSeconds
        )
        const options = Array.isArray(node.options) ? node.options : []
        if (options.length === 0) error('menu_without_options', id)
        const seen = new Set<string>()
        const reported = new Set<string>()
        for (const { digit } of options) {
          if (typeof digit !== 'string' || !DTMF_KEYS.has(digit)) {
            error('invalid_digit', id, { digit: String(digit) })
          } else if (seen.has(digit) && !reported.has(digit)) {
            error('duplicate_digit', id, { digit })
            reported.add(digit)
          }
          seen.add(digit)
        }
        break
      }
      case 'collect': {
        checkPrompt(id, 'prompt', node.prompt)
        if (node.invalidPrompt) checkPrompt(id, 'invalidPrompt', node.invalidPrompt)
        checkRange(id, 'retries_out_of_range', 'maxRetries', node.maxRetries, IVR_LIMITS.maxRetries)
        checkRange(
          id,
          'timeout_out_of_range',
          'timeoutSeconds',
          node.timeoutSeconds,
          IVR_LIMITS.timeoutSeconds
        )
        const { min, max } = IVR_LIMITS.digits
        const { minDigits, maxDigits } = node
        if (
          !Number.isInteger(minDigits) ||
          !Number.isInteger(maxDigits) ||
          minDigits < min ||
          maxDigits > max ||
          minDigits > maxDigits
        ) {
          error('digits_out_of_range', id, {
            minDigits: String(minDigits),
            maxDigits: String(maxDigits),
            min,
            max,
          })
        }
        if (node.terminator !== null && node.terminator !== '#' && node.terminator !== '*') {
          error('invalid_terminator', id, { terminator: String(node.terminator) })
        }
        if (typeof node.variable !== 'string' || !VARIABLE_NAME_PATTERN.test(node.variable)) {
          error('invalid_variable_name', id, { variable: String(node.variable) })
        }
        break
      }
      case 'queue':
        if (!known.queues.has(node.queueId)) {
          error('unknown_queue', id, { queueId: String(node.queueId) })
        }
        break
      case 'voicemail': {
        const target = node.target as Partial<{ queueId: string; agentId: string }> | undefined
        if (target?.queueId !== undefined) {
          if (!known.queues.has(target.queueId)) {
            error('unknown_queue', id, { queueId: String(target.queueId) })
          }
        } else if (target?.agentId !== undefined) {
          if (known.agents && !known.agents.has(target.agentId)) {
            error('unknown_agent', id, { agentId: String(target.agentId) })
          }
        } else {
          error('invalid_voicemail_target', id)
        }
        break
      }
      case 'transfer':
        if (typeof node.number !== 'string' || !TRANSFER_NUMBER_PATTERN.test(node.number)) {
          error('invalid_transfer_number', id, { number: String(node.number) })
        }
        break
      case 'hours':
        if (!known.calendars.has(node.calendarId)) {
          error('unknown_calendar', id, { calendarId: String(node.calendarId) })
        }
        break
      case 'hangup':
        break
    }
  }

  const graph = new FlowGraph(nodes)
  if (entryExists) {
    const reachable = graph.reachableFrom(flow.entryNodeId)
    for (const id of nodes.keys()) {
      if (!reachable.has(id)) warning('unreachable_node', id)
    }
  }

  const canExit = graph.nodesThatCanEnd()
  for (const cycle of graph.cycles()) {
    const params = { nodes: cycle.join(', ') }
    if (!canExit.has(cycle[0])) {
      error('loop_without_exit', cycle[0], params)
    } else if (cycle.every((id) => !['menu', 'collect'].includes(nodes.get(id)!.type))) {
      // Plays and hours checks only: the caller goes round without being asked anything, e.g.
      // "closed" → play → check hours again, until the interpreter's visit limit hangs up.
      warning('loop_without_input', cycle[0], params)
    }
  }

  return { valid: errors.length === 0, errors, warnings }
}

/** The flow as a directed graph over existing nodes (dangling branches are left out). */
class FlowGraph {
  readonly #edges = new Map<string, string[]>()

  constructor(private readonly nodes: Map<string, IvrNode>) {
    for (const [id, node] of nodes) {
      const targets = branchesOf(node)
        .map(({ target }) => target)
        .filter((target) => nodes.has(target))
      this.#edges.set(id, [...new Set(targets)])
    }
  }

  reachableFrom(start: string): Set<string> {
    const seen = new Set([start])
    const pending = [start]
    while (pending.length > 0) {
      for (const next of this.#edges.get(pending.pop()!) ?? []) {
        if (!seen.has(next)) {
          seen.add(next)
          pending.push(next)
        }
      }
    }
    return seen
  }

  /** Nodes from which some path leads out of the IVR: a walk back from every place it can end. */
  nodesThatCanEnd(): Set<string> {
    const incoming = new Map<string, string[]>()
    for (const [from, targets] of this.#edges) {
      for (const to of targets) incoming.set(to, [...(incoming.get(to) ?? []), from])
    }
    const result = new Set<string>()
    const pending: string[] = []
    for (const [id, node] of this.nodes) {
      if (canEndHere(node)) {
        result.add(id)
        pending.push(id)
      }
    }
    while (pending.length > 0) {
      for (const previous of incoming.get(pending.pop()!) ?? []) {
        if (!result.has(previous)) {
          result.add(previous)
          pending.push(previous)
        }
      }
    }
    return result
  }

  /**
   * Strongly connected components that contain a cycle (more than one node, or a node that
   * leads to itself), each listed in the flow's node order. Tarjan's algorithm, iterative so a
   * long chain of nodes cannot overflow the stack.
   */
  cycles(): string[][] {
    const order = [...this.nodes.keys()]
    const rank = new Map(order.map((id, index) => [id, index]))
    const index = new Map<string, number>()
    const low = new Map<string, number>()
    const onStack = new Set<string>()
    const stack: string[] = []
    const components: string[][] = []
    let counter = 0

    for (const root of order) {
      if (index.has(root)) continue
      const work: { id: string; next: number }[] = [{ id: root, next: 0 }]
      index.set(root, counter)
      low.set(root, counter++)
      stack.push(root)
      onStack.add(root)

      while (work.length > 0) {
        const frame = work[work.length - 1]
        const targets = this.#edges.get(frame.id) ?? []
        if (frame.next < targets.length) {
          const target = targets[frame.next++]
          if (!index.has(target)) {
            index.set(target, counter)
            low.set(target, counter++)
            stack.push(target)
            onStack.add(target)
            work.push({ id: target, next: 0 })
          } else if (onStack.has(target)) {
            low.set(frame.id, Math.min(low.get(frame.id)!, index.get(target)!))
          }
          continue
        }
        work.pop()
        if (work.length > 0) {
          const parent = work[work.length - 1].id
          low.set(parent, Math.min(low.get(parent)!, low.get(frame.id)!))
        }
        if (low.get(frame.id) === index.get(frame.id)) {
          const component: string[] = []
          let member: string
          do {
            member = stack.pop()!
            onStack.delete(member)
            component.push(member)
          } while (member !== frame.id)
          const selfLoop = (this.#edges.get(frame.id) ?? []).includes(frame.id)
          if (component.length > 1 || selfLoop) {
            components.push(component.sort((a, b) => rank.get(a)! - rank.get(b)!))
          }
        }
      }
    }
    return components.sort((a, b) => rank.get(a[0])! - rank.get(b[0])!)
  }
}
