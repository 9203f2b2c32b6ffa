import { randomUUID } from 'node:crypto'
import type { Ari, AriChannel } from '#telephony/ari/index'
import AgentDevice from '#models/agent_device'
import BreakReason from '#models/break_reason'
import User from '#models/user'
import DomainError from '#exceptions/domain_error'
import ChangeAgentState, { type RequestedState } from '#actions/agents/change_agent_state'

export interface FeatureCodesOptions {
  logger?: { info(msg: string): void; warning(msg: string): void; error(msg: string): void }
  /** Hang up this long after the confirmation started if Asterisk never reports its end. */
  hangupAfterMs?: number
}

/**
 * The codes an agent dials on their phone. Shown on the agent's status page and in the README;
 * `*22` takes the break reason whose dial code follows (break_reasons.dial_code, set by admins).
 */
export const FEATURE_CODES = [
  { code: '*21', state: 'available', withReason: false },
  { code: '*22', state: 'break', withReason: false },
  { code: '*22', state: 'break', withReason: true },
  { code: '*23', state: 'offline', withReason: false },
] as const satisfies ReadonlyArray<{ code: string; state: RequestedState; withReason: boolean }>

export type FeatureCodeRequest = { to: RequestedState; dialCode: string | null }

/** What a dialled extension asks for, or null when it is no feature code. */
export function parseFeatureCode(exten: string): FeatureCodeRequest | null {
  if (exten === '*21') return { to: 'available', dialCode: null }
  if (exten === '*23') return { to: 'offline', dialCode: null }
  const breakCode = /^\*22([0-9]{0,4})$/.exec(exten)
  if (breakCode) return { to: 'break', dialCode: breakCode[1] || null }
  return null
}

/**
 * The PJSIP endpoint a channel belongs to: `PJSIP/<endpoint>-<8 hex digits>`. The name comes from
 * the endpoint Asterisk authenticated, unlike the caller id, which the phone chooses.
 */
export function endpointOfChannel(channelName: string): string | null {
  const match = /^PJSIP\/(.+)-[0-9a-f]{8}$/i.exec(channelName)
  return match ? match[1] : null
}

/** The confirmation (or refusal) an agent hears; Asterisk's built-in English prompts. */
export const FEATURE_SOUNDS = {
  available: ['sound:beep', 'sound:agent-loginok'],
  break: ['sound:beep', 'sound:auth-thankyou'],
  offline: ['sound:beep', 'sound:agent-loggedoff'],
  /** Ringing or on a call: the state machine refuses the change. */
  refused: ['sound:beeperr', 'sound:feature-not-avail-line'],
  /** No such feature code, or no such break reason. */
  invalid: ['sound:beeperr', 'sound:pbx-invalid'],
  /** The phone belongs to nobody who takes calls. */
  noAgent: ['sound:beeperr', 'sound:ss-noservice'],
} as const

type Outcome = keyof typeof FEATURE_SOUNDS

/**
 * Feature codes dialled on an agent's phone (the `from-agent` context hands every call to the
 * app as StasisStart args ['agent-dial', exten]): the agent is the user of the calling endpoint;
 * the state changes through ChangeAgentState (the same action as the web page, so the same rules
 * and audit entry); the agent hears a confirmation or an error tone, then the call ends.
 */
export default class FeatureCodes {
  #changeState = new ChangeAgentState()

  constructor(
    private ari: Ari,
    private options: FeatureCodesOptions = {}
  ) {}

  async handle(channel: AriChannel, exten: string): Promise<void> {
    let outcome: Outcome
    try {
      outcome = await this.#apply(channel, exten)
    } catch (error) {
      this.options.logger?.error(`feature code ${exten} from ${channel.name}: ${error}`)
      outcome = 'invalid'
    }
    await this.#confirm(channel.id, outcome)
  }

  async #apply(channel: AriChannel, exten: string): Promise<Outcome> {
    const log = (msg: string) => this.options.logger?.info(`feature code ${exten}: ${msg}`)
    const endpoint = endpointOfChannel(channel.name)
    const device = endpoint ? await AgentDevice.findBy('endpoint', endpoint) : null
    const agent = device ? await User.find(device.userId) : null
    if (!device || !agent) {
      log(`${channel.name} is no agent's phone`)
      return 'noAgent'
    }
    const request = parseFeatureCode(exten)
    if (!request) {
      log(`unknown code from ${device.endpoint}`)
      return 'invalid'
    }
    let reason: string | null = null
    if (request.dialCode) {
      const found = await BreakReason.query()
        .where('dial_code', request.dialCode)
        .where('active', true)
        .first()
      if (!found) {
        log(`no active break reason with dial code ${request.dialCode}`)
        return 'invalid'
      }
      reason = found.code
    }
    try {
      const result = await this.#changeState.handle({
        agent,
        to: request.to,
        reason,
        actor: { id: agent.id, label: agent.email },
        via: 'phone',
        endpoint: device.endpoint,
      })
      log(`agent ${agent.id} ${result.changed ? 'now' : 'already'} ${result.state}`)
      return request.to
    } catch (error) {
      if (!(error instanceof DomainError)) throw error
      log(`agent ${agent.id} refused: ${error.messageKey}`)
      return error.messageKey === 'agent_state.busy' ? 'refused' : 'noAgent'
    }
  }

  /**
   * Answer, play, hang up when the playback ends. Events of this channel are handled one at a
   * time, so the end of the playback is waited for by a listener, never inside this handler.
   */
  async #confirm(channelId: string, outcome: Outcome) {
    const client = this.ari.client
    const playbackId = randomUUID()
    let done = false
    const finish = () => {
      if (done) return
      done = true
      off()
      clearTimeout(timer)
      void client.hangup(channelId).catch(() => {})
    }
    const off = this.ari.events.onEvent('PlaybackFinished', (event) => {
      if (event.playback.id === playbackId) finish()
    })
    const timer = setTimeout(finish, this.options.hangupAfterMs ?? 10_000)
    try {
      await client.answer(channelId)
      await client.play(channelId, [...FEATURE_SOUNDS[outcome]], { playbackId })
    } catch {
      // The phone hung up already, or the sound is missing: nothing left to say.
      finish()
    }
  }
}
