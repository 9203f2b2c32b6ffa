/*
| Runs an IVR flow for one call as a pure step function: the call-handling code performs each
| Action (plays media, waits for digits, checks the hours) and reports what happened as the next
| Input. State is plain JSON and never mutated, so it can be stored with the call (Redis, the
| database) and a restarted worker resumes where the caller was.
|
| The interpreter is bound to one flow; keep the version a call started with for the whole call,
| so an administrator saving a new version does not pull nodes from under a caller.
*/

import { SOUND_NAME_PATTERN, TERMINAL_NODE_TYPES } from './types.js'
import type {
  CollectNode,
  IvrFlow,
  IvrNode,
  MenuNode,
  PromptRef,
  VoicemailTarget,
} from './types.js'

export type IvrInput =
  /**
   * Keys the caller pressed, as collected for the last play action: up to maxDigits, ending at
   * the terminator or at the timeout. Keys pressed during the prompt count (barge-in). Send
   * `timeout` instead only when nothing at all was pressed.
   */
  | { kind: 'digits'; digits: string }
  | { kind: 'timeout' }
  | { kind: 'playback_finished' }
  | { kind: 'hours'; open: boolean }

export type IvrAction =
  /**
   * Play the media in order. 'continue': report playback_finished when done. 'wait_digits':
   * collect up to maxDigits keys (ending early at `terminator`), waiting timeoutSeconds after
   * the prompt and between keys, then report digits or timeout; playback_finished is ignored.
   */
  | {
      type: 'play'
      media: string[]
      then: 'wait_digits' | 'continue'
      maxDigits?: number
      timeoutSeconds?: number
      terminator?: '#' | '*'
    }
  /** The IVR is over: queue the caller, with what they entered in collect nodes. */
  | { type: 'enter_queue'; queueId: string; digitsCollected: Record<string, string> }
  | { type: 'voicemail'; target: VoicemailTarget }
  | { type: 'transfer'; number: string }
  | { type: 'hangup' }
  /** Evaluate the calendar (isOpen in #telephony/hours) and report `hours`. */
  | { type: 'check_hours'; calendarId: string }
  /** The input was not expected now (a key during an announcement, a stale event): carry on. */
  | { type: 'none' }

export type IvrOutcome =
  'played' | 'selected' | 'collected' | 'invalid' | 'timeout' | 'open' | 'closed' | 'ended'

/** One line of the call timeline: at node X, the caller pressed Y, with this result. */
export interface IvrTrailEntry {
  nodeId: string
  /** What was pressed; masked as '*' for collect nodes with `mask`; null when nothing was. */
  digits: string | null
  outcome: IvrOutcome
}

export type IvrEndReason =
  /** A queue, voicemail, transfer or hangup node was reached. */
  | 'terminal'
  /** The caller ran out of retries where no fallback was set. */
  | 'retries_exhausted'
  /** Too many nodes were entered: a loop the caller cannot leave; see maxVisits. */
  | 'visit_limit'

export interface IvrState {
  /** The node the caller is at (the last one, once ended). */
  nodeId: string
  /** What the interpreter expects next; null once the IVR has ended. */
  awaiting: 'playback' | 'digits' | 'hours' | null
  /** Failed tries (wrong key or silence) at the current node since the caller entered it. */
  retries: number
  /** Digits collected so far, by the collect nodes' variable names. */
  variables: Record<string, string>
  trail: IvrTrailEntry[]
  /** Nodes entered so far, for the loop guard. */
  visits: number
  endReason: IvrEndReason | null
}

export interface IvrStep {
  state: IvrState
  action: IvrAction
}

export interface IvrInterpreterOptions {
  /** ARI media URI of an uploaded prompt; by default `recording:prompts/<promptId>`. */
  uploadMedia?: (promptId: string) => string
  /** Nodes a call may enter before it is hung up, against loops the caller cannot leave. */
  maxVisits?: number
}

export type IvrFlowErrorCode = 'missing_entry' | 'missing_node' | 'unknown_node_type' | 'bad_prompt'

/**
 * The flow cannot be run at this point. validateFlow() rejects such flows on save, so this
 * means a flow that bypassed it; the caller should be routed to a default destination.
 */
export class IvrFlowError extends Error {
  readonly code: IvrFlowErrorCode
  readonly nodeId: string

  constructor(code: IvrFlowErrorCode, nodeId: string) {
    super(`IVR flow error "${code}" at node "${nodeId}"`)
    this.name = 'IvrFlowError'
    this.code = code
    this.nodeId = nodeId
  }
}

const DEFAULT_MAX_VISITS = 100

export class IvrInterpreter {
  readonly #flow: IvrFlow
  readonly #uploadMedia: (promptId: string) => string
  readonly #maxVisits: number

  constructor(flow: IvrFlow, options: IvrInterpreterOptions = {}) {
    this.#flow = flow
    this.#uploadMedia = options.uploadMedia ?? ((promptId) => `recording:prompts/${promptId}`)
    this.#maxVisits = options.maxVisits ?? DEFAULT_MAX_VISITS
  }

  /** The state and first action of a new call at the flow's entry node. */
  start(): IvrStep {
    const entry = this.#flow.entryNodeId
    if (!entry || !this.#nodeAt(entry)) throw new IvrFlowError('missing_entry', String(entry))
    return this.#enter(
      {
        nodeId: entry,
        awaiting: null,
        retries: 0,
        variables: {},
        trail: [],
        visits: 0,
        endReason: null,
      },
      entry
    )
  }

  /** The next state and action after `input`; `state` itself is left unchanged. */
  step(state: IvrState, input: IvrInput): IvrStep {
    const none: IvrStep = { state, action: { type: 'none' } }
    if (state.awaiting === null) return none
    const node = this.#node(state.nodeId)

    if (state.awaiting === 'playback') {
      if (input.kind !== 'playback_finished' || node.type !== 'play') return none
      return this.#enter(this.#record(state, null, 'played'), node.next)
    }

    if (state.awaiting === 'hours') {
      if (input.kind !== 'hours' || node.type !== 'hours') return none
      const recorded = this.#record(state, null, input.open ? 'open' : 'closed')
      return this.#enter(recorded, input.open ? node.open : node.closed)
    }

    if (input.kind === 'timeout' || (input.kind === 'digits' && input.digits === '')) {
      if (node.type !== 'menu' && node.type !== 'collect') return none
      return this.#fail(this.#record(state, null, 'timeout'), node, 'timeout')
    }
    if (input.kind !== 'digits') return none

    if (node.type === 'menu') {
      const option = node.options.find((candidate) => candidate.digit === input.digits)
      if (!option) return this.#fail(this.#record(state, input.digits, 'invalid'), node, 'invalid')
      return this.#enter(this.#record(state, input.digits, 'selected'), option.next)
    }
    if (node.type === 'collect') {
      // Masked keys keep their shape ('****#') so the timeline still shows how the input ended.
      const shown = node.mask ? input.digits.replace(/[0-9]/g, '*') : input.digits
      const digits = stripTerminator(input.digits, node.terminator)
      if (!isAcceptable(digits, node)) {
        return this.#fail(this.#record(state, shown, 'invalid'), node, 'invalid')
      }
      const recorded = this.#record(state, shown, 'collected')
      const withVariable = {
        ...recorded,
        variables: { ...recorded.variables, [node.variable]: digits },
      }
      return this.#enter(withVariable, node.next)
    }
    return none
  }

  /** A wrong key or silence: try the node again, or leave by its failure branch. */
  #fail(state: IvrState, node: MenuNode | CollectNode, kind: 'invalid' | 'timeout'): IvrStep {
    if (state.retries < node.maxRetries) {
      const retried = { ...state, retries: state.retries + 1 }
      return { state: retried, action: this.#prompt(state.nodeId, node, kind === 'invalid') }
    }
    const fallback =
      node.type === 'menu' ? (kind === 'invalid' ? node.onInvalid : node.onTimeout) : node.fallback
    if (fallback) return this.#enter(state, fallback)
    return this.#end(state, 'retries_exhausted')
  }

  /** Moves to `nodeId` and returns what to do there. */
  #enter(previous: IvrState, nodeId: string): IvrStep {
    if (previous.visits >= this.#maxVisits) return this.#end(previous, 'visit_limit')
    const node = this.#node(nodeId)
    const state: IvrState = { ...previous, nodeId, retries: 0, visits: previous.visits + 1 }

    if (TERMINAL_NODE_TYPES.has(node.type)) {
      const ended: IvrState = {
        ...this.#record(state, null, 'ended'),
        awaiting: null,
        endReason: 'terminal',
      }
      return { state: ended, action: this.#terminalAction(node, state) }
    }
    switch (node.type) {
      case 'play':
        return {
          state: { ...state, awaiting: 'playback' },
          action: { type: 'play', media: [this.#media(node.prompt, nodeId)], then: 'continue' },
        }
      case 'menu':
      case 'collect':
        return {
          state: { ...state, awaiting: 'digits' },
          action: this.#prompt(nodeId, node, false),
        }
      case 'hours':
        return {
          state: { ...state, awaiting: 'hours' },
          action: { type: 'check_hours', calendarId: node.calendarId },
        }
      default:
        throw new IvrFlowError('unknown_node_type', nodeId)
    }
  }

  #terminalAction(node: IvrNode, state: IvrState): IvrAction {
    switch (node.type) {
      case 'queue':
        return { type: 'enter_queue', queueId: node.queueId, digitsCollected: state.variables }
      case 'voicemail':
        return { type: 'voicemail', target: node.target }
      case 'transfer':
        return { type: 'transfer', number: node.number }
      default:
        return { type: 'hangup' }
    }
  }

  #end(state: IvrState, reason: IvrEndReason): IvrStep {
    return { state: { ...state, awaiting: null, endReason: reason }, action: { type: 'hangup' } }
  }

  /** The prompt of a menu or collect, after its invalid-input prompt on a retry that needs it. */
  #prompt(nodeId: string, node: MenuNode | CollectNode, afterInvalid: boolean): IvrAction {
    const media = [this.#media(node.prompt, nodeId)]
    if (afterInvalid && node.invalidPrompt) {
      media.unshift(this.#media(node.invalidPrompt, nodeId))
    }
    const action: IvrAction = {
      type: 'play',
      media,
      then: 'wait_digits',
      maxDigits: node.type === 'menu' ? 1 : node.maxDigits,
      timeoutSeconds: node.timeoutSeconds,
    }
    if (node.type === 'collect' && node.terminator) action.terminator = node.terminator
    return action
  }

  #media(prompt: PromptRef, nodeId: string): string {
    if (prompt?.kind === 'builtin' && SOUND_NAME_PATTERN.test(prompt.sound)) {
      return `sound:${prompt.sound}`
    }
    if (prompt?.kind === 'upload' && prompt.promptId !== undefined && prompt.promptId !== '') {
      return this.#uploadMedia(prompt.promptId)
    }
    // Checked again here because the name ends up inside an ARI media URI.
    throw new IvrFlowError('bad_prompt', nodeId)
  }

  #record(state: IvrState, digits: string | null, outcome: IvrOutcome): IvrState {
    return { ...state, trail: [...state.trail, { nodeId: state.nodeId, digits, outcome }] }
  }

  #nodeAt(nodeId: string): IvrNode | undefined {
    return Object.hasOwn(this.#flow.nodes, nodeId) ? this.#flow.nodes[nodeId] : undefined
  }

  #node(nodeId: string): IvrNode {
    const node = this.#nodeAt(nodeId)
    if (!node) throw new IvrFlowError('missing_node', String(nodeId))
    return node
  }
}

function stripTerminator(digits: string, terminator: CollectNode['terminator']): string {
  return terminator && digits.endsWith(terminator) ? digits.slice(0, -1) : digits
}

function isAcceptable(digits: string, node: CollectNode): boolean {
  return (
    /^[0-9]*$/.test(digits) && digits.length >= node.minDigits && digits.length <= node.maxDigits
  )
}
