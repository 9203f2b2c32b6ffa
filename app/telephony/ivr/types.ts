/*
| An IVR flow (语音导航) as stored: a graph of nodes keyed by id, entered at entryNodeId. Nodes
| refer to each other by id only, so the editor can save any shape and validateFlow() says what
| is wrong with it before it is allowed to go live.
*/

/** A sound shipped with Asterisk (e.g. 'vm-goodbye'), or a prompt an administrator uploaded. */
export type PromptRef = { kind: 'builtin'; sound: string } | { kind: 'upload'; promptId: string }

/** Plays a prompt, then goes on to `next`. */
export interface PlayNode {
  type: 'play'
  prompt: PromptRef
  next: string
}

export interface MenuOption {
  /** One DTMF key: 0-9, * or #. */
  digit: string
  next: string
}

/**
 * Plays a prompt and waits for one key. A wrong key or silence replays the prompt (after
 * invalidPrompt for a wrong key) up to maxRetries times; the failure after that goes to onInvalid
 * or onTimeout, or hangs up when that branch is not set.
 */
export interface MenuNode {
  type: 'menu'
  prompt: PromptRef
  options: MenuOption[]
  /** Silence after the prompt before it counts as a timeout. */
  timeoutSeconds: number
  /** Replays after a wrong key or silence; the caller gets 1 + maxRetries tries in all. */
  maxRetries: number
  invalidPrompt?: PromptRef | null
  onTimeout?: string | null
  onInvalid?: string | null
}

/**
 * Collects a number (account, order, ID) into `variable`, which travels with the call into the
 * queue. Retries as a menu does; after the last one goes to `fallback`, or hangs up.
 */
export interface CollectNode {
  type: 'collect'
  prompt: PromptRef
  minDigits: number
  maxDigits: number
  /** Key that ends the input early; null for none. */
  terminator: '#' | '*' | null
  /** Silence before the first key, and between keys, before the input ends. */
  timeoutSeconds: number
  maxRetries: number
  /** Name the digits are stored under, e.g. 'account_number'. */
  variable: string
  next: string
  fallback?: string | null
  invalidPrompt?: PromptRef | null
  /** Keep the digits out of the trail (a PIN, an ID card number): masking (脱敏). */
  mask?: boolean
}

/** Ends the IVR: the caller waits in a queue. */
export interface QueueNode {
  type: 'queue'
  queueId: string
}

export type VoicemailTarget = { queueId: string } | { agentId: string }

/** Ends the IVR: the caller leaves a voicemail. */
export interface VoicemailNode {
  type: 'voicemail'
  target: VoicemailTarget
}

/** Ends the IVR: the call is transferred to an outside number. */
export interface TransferNode {
  type: 'transfer'
  number: string
}

/** Ends the IVR: the call is hung up. */
export interface HangupNode {
  type: 'hangup'
}

/** Branches on the opening hours of a business-hours calendar. */
export interface HoursNode {
  type: 'hours'
  calendarId: string
  open: string
  closed: string
}

export type IvrNode =
  | PlayNode
  | MenuNode
  | CollectNode
  | QueueNode
  | VoicemailNode
  | TransferNode
  | HangupNode
  | HoursNode

export type IvrNodeType = IvrNode['type']

/** Nodes at which the IVR ends and the call goes elsewhere. */
export const TERMINAL_NODE_TYPES: ReadonlySet<IvrNodeType> = new Set([
  'queue',
  'voicemail',
  'transfer',
  'hangup',
])

export interface IvrFlow {
  entryNodeId: string
  nodes: Record<string, IvrNode>
}

/** Bounds the validator enforces and the interpreter relies on. */
export const IVR_LIMITS = {
  maxRetries: { min: 0, max: 10 },
  timeoutSeconds: { min: 1, max: 60 },
  digits: { min: 1, max: 32 },
} as const

/** DTMF keys a menu option may use. */
export const DTMF_KEYS: ReadonlySet<string> = new Set([...'0123456789*#'])

/**
 * Builtin sound names: path segments of letters, digits, '_' and '-'. Anything else could escape
 * the sounds directory or, through a comma, smuggle a second media URI into ARI's play request.
 */
export const SOUND_NAME_PATTERN = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/
