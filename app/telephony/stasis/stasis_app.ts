import { randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { Ari, AriChannel } from '#telephony/ari/index'
import { isAriNotFound } from '#telephony/ari/index'
import { IvrInterpreter } from '#telephony/ivr/interpreter'
import type { IvrAction, IvrState } from '#telephony/ivr/interpreter'
import { isOpen } from '#telephony/hours/calendar'
import { matchCallsToAgents } from '#telephony/acd/matching'
import { checkOverflow, overflowDueAt } from '#telephony/acd/overflow'
import { setTimeoutAt } from '#telephony/acd/due_timer'
import {
  countStaffedAgents,
  estimateWait,
  roundWaitForAnnouncement,
} from '#telephony/acd/wait_estimate'
import type { AgentCandidate, QueuedCall, QueueStrategy } from '#telephony/acd/types'
import Call from '#models/call'
import CallEvent from '#models/call_event'
import type Queue from '#models/queue'
import Recording from '#models/recording'
import AgentDevice from '#models/agent_device'
import CallbackRequest, { CALLBACK_MAX_ATTEMPTS } from '#models/callback_request'
import Voicemail from '#models/voicemail'
import audit from '#services/audit_service'
import { sqlTime, affectedRows } from '#services/db_time'
import {
  closeOwnConnection,
  openOwnConnection,
  sqliteAll,
  sqliteFirst,
  sqliteRun,
} from '#services/sqlite_direct'
import agentStates from '#telephony/agents/agent_state_service'
import callRecorder from '#telephony/calls/call_recorder'
import DeviceProvisioner from '#telephony/provisioning/device_provisioner'
import FeatureCodes from '#telephony/agents/feature_codes'
import TelephonyConfig from '#telephony/config/telephony_config'

export interface StasisAppOptions {
  /** Where Asterisk's MixMonitor files appear on this host (the instance's recording dir). */
  recordingDir: string
  logger?: { info(msg: string): void; warning(msg: string): void; error(msg: string): void }
  /** How often waiting callers are matched to agents freed elsewhere (web UI, other calls). */
  dispatchEveryMs?: number
  /** How often in-call commands from the web (call_commands) are picked up. */
  commandsEveryMs?: number
  /** PJSIP endpoint of the carrier trunk: external numbers are dialled as PJSIP/<number>@<trunk>. */
  outboundTrunk?: string | null
  /** Longest voicemail message. */
  voicemailMaxSeconds?: number
  /**
   * Hands a finished recording to whoever seals it (the job worker, through Redis), keeping the
   * encryption off this event loop. Not awaited by the call handling; a hand-off that fails is
   * logged, and the job worker's sweep seals the recording anyway. Without it: sealed in-process.
   */
  sealRecording?: (recording: { id: number; callId: number }) => Promise<void>
}

export interface TransferTarget {
  type: 'queue' | 'agent' | 'external'
  queueId?: number
  agentId?: number
  number?: string
}

/** What a caller dials out to must look like a phone number, nothing Asterisk could read as more. */
/** Length of an 8 kHz 16-bit mono WAV (what MixMonitor and ARI recordings write) from its size. */
function wavDurationMs(bytes: number) {
  return Math.round(((bytes - 44) / 16000) * 1000)
}

export const EXTERNAL_NUMBER = /^\+?[0-9]{2,20}$/

/** A timestamp column as ms: PostgreSQL hands a Date, SQLite the text 'yyyy-MM-dd HH:mm:ss'. */
function timestampMs(value: unknown): number {
  if (value instanceof Date) return value.getTime()
  if (!value) return 0
  const text = String(value)
  const parsed = Date.parse(text.includes('T') ? text : `${text.replace(' ', 'T')}Z`)
  return Number.isNaN(parsed) ? DateTime.fromSQL(text, { zone: 'utc' }).toMillis() : parsed
}

interface Offer {
  channelId: string
  agentId: number
  endpoint: string
  answered: boolean
}

interface QueueStay {
  queueId: number
  /** Orders the queue: the caller's place (kept across overflow, restarts and callbacks). */
  enteredAt: number
  /** When the caller reached this queue: max wait counts from here. */
  since: number
  priority: number
  excluded: number[]
  /** The max wait passed while an agent was ringing: overflow if that offer fails. */
  overflowDue: boolean
}

interface VoicemailStay {
  /** File name (no extension) in Asterisk's recording directory. */
  name: string
  queueId: number | null
  agentId: number | null
  phase: 'intro' | 'recording' | 'done'
  saved: boolean
}

/** One inbound call and everything the worker knows about it while it lives. */
interface CallSession {
  call: Call
  customerChannelId: string
  lock: Promise<unknown>
  ivr: { interpreter: IvrInterpreter; state: IvrState; flowId: number } | null
  waitingDigits: { maxDigits: number; timeoutSeconds: number; terminator?: string } | null
  digits: string
  playbackId: string | null
  digitTimer: NodeJS.Timeout | null
  queue: QueueStay | null
  queueTimers: NodeJS.Timeout[]
  offer: Offer | null
  /** Transferred to a named agent: offered outside any queue, voicemail if not answered. */
  direct: { agentId: number } | null
  /** Transferred to an outside number through the trunk. */
  external: { channelId: string; number: string; answered: boolean } | null
  voicemail: VoicemailStay | null
  /** A callback in progress: the agent answered first, then the customer is dialled. */
  callback: {
    requestId: number
    number: string
    customerAnswered: boolean
    /** To give the attempt back when the agent, not the customer, did not answer. */
    previousAttemptAt: DateTime | null
  } | null
  /** Runs when the current playback ends (MOH back after an announcement, hang up after goodbye). */
  afterPlayback: (() => Promise<void>) | null
  /** On hold since (ms), and by whom. */
  held: { since: number; by: 'phone' | 'web' } | null
  bridgeId: string | null
  recordingName: string | null
  ended: boolean
  /** Why the system hung up the caller, when it did. */
  systemCause: string | null
  /** Music being started for the caller (not awaited where the caller enters a queue). */
  mohStarting?: Promise<void>
  /** The caller as a known customer, looked up once (when the call arrives). */
  customer?: Promise<{ id: number; tier: string } | null>
}

/** Stable ordering key of a route pattern: exact numbers before prefixes, longer before shorter. */
export function matchDid(pattern: string, did: string): boolean {
  if (!pattern.startsWith('_')) return pattern === did
  // Asterisk-style: X any digit, Z 1-9, N 2-9, '.' one or more of anything.
  let regex = '^'
  for (const ch of pattern.slice(1)) {
    if (ch === 'X') regex += '[0-9]'
    else if (ch === 'Z') regex += '[1-9]'
    else if (ch === 'N') regex += '[2-9]'
    else if (ch === '.') regex += '.+'
    else regex += ch.replace(/[\\^$*+?()[\]{}|]/g, '\\$&')
  }
  return new RegExp(regex + '$').test(did)
}

/**
 * The Stasis application: routes inbound calls (route → IVR → queue), runs our own ACD, offers
 * calls to agents' phones, bridges and records them (MixMonitor, the cheap way measured on this
 * hardware), and writes the call, its legs and its timeline as it goes.
 */
export default class StasisApp {
  #sessions = new Map<string, CallSession>()
  #byChannel = new Map<string, string>()
  #dispatchTimer: NodeJS.Timeout | null = null
  #commandsTimer: NodeJS.Timeout | null = null
  #pollingCommands = false
  #stopped = false
  #wrapUpTimers = new Set<NodeJS.Timeout>()
  #roundRobin = new Map<number, string | null>()
  #provisioner: DeviceProvisioner
  #featureCodes: FeatureCodes
  #leavingForDialplan = new Set<string>()
  #hangupCauses = new Map<string, string>()
  #config = new TelephonyConfig()

  constructor(
    private ari: Ari,
    private options: StasisAppOptions
  ) {
    this.#provisioner = new DeviceProvisioner(ari.client)
    this.#featureCodes = new FeatureCodes(ari, { logger: options.logger })
    const logger = options.logger
    if (logger) callRecorder.onError = (error) => logger.error(`call records: ${error}`)
  }

  get provisioner() {
    return this.#provisioner
  }

  start() {
    const { events } = this.ari
    // The key press → ring statements on a connection of the worker's own (sqlite_direct.ts).
    openOwnConnection().catch((error) =>
      this.options.logger?.warning(`own SQLite connection not opened: ${error.message}`)
    )
    events.onEvent('StasisStart', (e) => this.#onStasisStart(e.channel, e.args))
    events.onEvent('ChannelDtmfReceived', (e) =>
      this.#withChannel(e.channel.id, (s) => this.#onDigit(s, e.digit))
    )
    events.onEvent('PlaybackFinished', (e) => {
      const channelId = e.playback.target_uri.replace(/^channel:/, '')
      return this.#withChannel(channelId, (s) => this.#onPlaybackFinished(s, e.playback.id))
    })
    // A channel in Stasis reports its end as StasisEnd (the app is unsubscribed before
    // ChannelDestroyed); an offered channel that never entered Stasis reports ChannelDestroyed.
    events.onEvent('ChannelHangupRequest', (e) => {
      if (e.cause !== undefined) this.#hangupCauses.set(e.channel.id, String(e.cause))
    })
    events.onEvent('StasisEnd', (e) => {
      if (this.#leavingForDialplan.delete(e.channel.id)) return
      const cause = this.#hangupCauses.get(e.channel.id) ?? 'hangup'
      return this.#withChannel(e.channel.id, (s) => this.#onChannelGone(s, e.channel.id, cause))
    })
    events.onEvent('ChannelDestroyed', (e) =>
      this.#withChannel(e.channel.id, (s) =>
        this.#onChannelGone(s, e.channel.id, e.cause_txt ?? String(e.cause))
      )
    )
    events.onEvent('RecordingFinished', (e) => this.#onRecordingDone(e.recording.name, true))
    events.onEvent('RecordingFailed', (e) => this.#onRecordingDone(e.recording.name, false))
    events.onEvent('ChannelHold', (e) =>
      this.#withChannel(e.channel.id, (s) => this.#onPhoneHold(s, e.channel.id, true))
    )
    events.onEvent('ChannelUnhold', (e) =>
      this.#withChannel(e.channel.id, (s) => this.#onPhoneHold(s, e.channel.id, false))
    )
    events.on('connected', () => void this.#onConnected())
    this.#dispatchTimer = setInterval(
      () => this.#background('dispatch round', this.dispatchAll()),
      this.options.dispatchEveryMs ?? 1000
    )
    this.#commandsTimer = setInterval(
      () => void this.#pollCommands(),
      this.options.commandsEveryMs ?? 250
    )
  }

  /**
   * Stops this instance for good (shutdown, or stepping down to standby): no timer or late event
   * touches a call any more; whoever takes over picks the calls up from the database.
   */
  stop() {
    this.#stopped = true
    closeOwnConnection()
    if (this.#dispatchTimer) clearInterval(this.#dispatchTimer)
    if (this.#commandsTimer) clearInterval(this.#commandsTimer)
    for (const session of this.#sessions.values()) {
      this.#clearQueueTimers(session)
      if (session.digitTimer) clearTimeout(session.digitTimer)
    }
    for (const timer of this.#wrapUpTimers) clearTimeout(timer)
    this.#wrapUpTimers.clear()
  }

  /** After every (re)connect: push agents' phones, then reconcile calls with what Asterisk has. */
  async #onConnected() {
    try {
      const types = this.ari.events.handledTypes()
      if (types)
        await this.ari.client
          .setEventFilter(this.ari.config.app, types)
          .catch((e) => this.options.logger?.warning(`ARI event filter not set: ${e.message}`))
      const pushed = await this.#provisioner.pushAll()
      this.options.logger?.info(`pushed ${pushed} agent device(s) to Asterisk`)
      await this.#reconcile()
    } catch (error) {
      this.options.logger?.error(`after connect: ${(error as Error).message}`)
    }
  }

  /** Calls our records say are live but whose channels Asterisk no longer has have ended. */
  async #reconcile() {
    const listed = await this.ari.client.listChannels()
    const channels = new Set(listed.map((c) => c.id))
    await callRecorder.flush()
    const live = await Call.query().whereNot('state', 'ended')
    for (const call of live) {
      const known = this.#sessions.get(call.uuid)
      if (known && channels.has(known.customerChannelId)) continue
      if (known) {
        // Ours, but Asterisk restarted under it: it will send nothing more about these channels.
        known.ended = true
        if (known.digitTimer) clearTimeout(known.digitTimer)
        this.#byChannel.delete(known.customerChannelId)
        if (known.offer) this.#byChannel.delete(known.offer.channelId)
        this.#forget(known)
      }
      const legs = await call.related('legs').query().whereNull('ended_at')
      const customer = legs.find((leg) => leg.kind === 'customer' && channels.has(leg.channelId))
      if (customer) {
        await this.#resume(call, customer.channelId, legs, channels)
        continue
      }
      // Asterisk lost the caller while we were away: the call ended then, with this cause.
      for (const leg of legs) await callRecorder.legEnded(leg.channelId, 'lost_during_restart')
      await callRecorder.end(
        call,
        call.state === 'queue' ? 'abandoned_during_restart' : 'ended_during_restart'
      )
      if (call.agentId)
        await agentStates.set(call.agentId, 'available', {
          onlyFrom: ['ringing', 'on_call', 'wrap_up'],
        })
    }
    // Wrap-ups whose timer went with the previous worker: the agent is free again (a wrap-up
    // is seconds long; ending one early beats leaving the agent out of every queue).
    const wrapping = await db.from('agent_states').where('state', 'wrap_up').select('user_id')
    const busy = new Set([...this.#sessions.values()].map((s) => s.offer?.agentId))
    for (const row of wrapping)
      if (!busy.has(Number(row.user_id)) && !this.#wrapUpTimers.size)
        await agentStates.set(Number(row.user_id), 'available', { onlyFrom: ['wrap_up'] })
    // Callbacks that were being dialled when the worker or Asterisk went away wait again.
    const dialing = await CallbackRequest.query().where('status', 'dialing')
    for (const request of dialing) {
      const call = request.callbackCallId ? await Call.find(request.callbackCallId) : null
      if (call && call.state !== 'ended' && this.#sessions.has(call.uuid)) continue
      if (call && call.state !== 'ended') await callRecorder.end(call, 'ended_during_restart')
      request.status = 'pending'
      await request.save()
    }
  }

  /**
   * A call that outlived a restart of this worker: a bridged conversation simply continues (its
   * recording runs in Asterisk) and is tracked again until it ends; a caller who was in the IVR,
   * waiting or being offered goes back to the queue (or the start of the menu) without hanging up.
   */
  async #resume(
    call: Call,
    customerChannelId: string,
    legs: Array<{
      channelId: string
      kind: string
      userId: number | null
      endpoint: string | null
    }>,
    channels: Set<string>
  ) {
    const session = this.#newSession(call, customerChannelId)
    const agentLeg = legs.find((leg) => leg.kind === 'agent' && channels.has(leg.channelId))
    if (call.state === 'bridged' && agentLeg && call.agentId) {
      session.offer = {
        channelId: agentLeg.channelId,
        agentId: call.agentId,
        endpoint: agentLeg.endpoint ?? '',
        answered: true,
      }
      // This leg's own recording (a transferred call has an earlier one, already sealed).
      session.recordingName = this.#recordingNameFor(session, agentLeg.channelId)
      await this.#followConversation(session, agentLeg.channelId)
      this.options.logger?.info(`call ${call.uuid}: resumed bridged call after restart`)
      return
    }
    const externalLeg = legs.find((leg) => leg.kind === 'external' && channels.has(leg.channelId))
    if (call.state === 'bridged' && externalLeg) {
      // Transferred out and talking: the conversation goes on; we only need to see it end.
      session.external = {
        channelId: externalLeg.channelId,
        number: externalLeg.endpoint?.match(/^PJSIP\/([^@]+)@/)?.[1] ?? '',
        answered: true,
      }
      await this.#followConversation(session, externalLeg.channelId)
      this.options.logger?.info(`call ${call.uuid}: resumed outside call after restart`)
      return
    }
    if (agentLeg) await this.ari.client.hangup(agentLeg.channelId).catch(() => {})
    if (externalLeg) await this.ari.client.hangup(externalLeg.channelId).catch(() => {})
    if (call.agentId) await agentStates.set(call.agentId, 'available', { onlyFrom: ['ringing'] })
    await this.#locked(session, async () => {
      if (call.state === 'voicemail') {
        // The message being recorded is lost with the worker's restart: start it again.
        const asked = await CallEvent.query()
          .where('call_id', call.id)
          .where('type', 'voicemail')
          .orderBy('at', 'desc')
          .first()
        await this.#startVoicemail(
          session,
          {
            queueId: (asked?.data?.queueId as number | null) ?? call.queueId,
            agentId: (asked?.data?.agentId as number | null) ?? null,
          },
          'resumed'
        )
      } else if (call.queueId) {
        const entered = await CallEvent.query()
          .where('call_id', call.id)
          .where('type', 'queue_entered')
          .orderBy('at', 'desc')
          .first()
        // Keep the caller's place: the original entry time orders the queue.
        await this.#enterQueue(session, call.queueId, {}, entered?.at)
      } else if (call.ivrFlowId) {
        await this.#startIvr(session, call.ivrFlowId)
      } else {
        await this.#hangupCustomer(session, 'lost_route_during_restart')
      }
    })
    this.options.logger?.info(`call ${call.uuid}: resumed (${call.state}) after restart`)
  }

  /** A conversation that outlived a restart: its bridge and both channels are ours again. */
  async #followConversation(session: CallSession, otherChannelId: string) {
    const customer = session.customerChannelId
    const bridges = await this.ari.client.listBridges()
    session.bridgeId = bridges.find((b) => b.channels.includes(customer))?.id ?? null
    this.#byChannel.set(otherChannelId, session.call.uuid)
    await this.ari.client
      .request('POST', `/applications/${encodeURIComponent(this.ari.config.app)}/subscription`, {
        query: { eventSource: `channel:${customer},channel:${otherChannelId}` },
      })
      .catch(() => {})
  }

  #newSession(call: Call, customerChannelId: string): CallSession {
    const session: CallSession = {
      call,
      customerChannelId,
      lock: Promise.resolve(),
      ivr: null,
      waitingDigits: null,
      digits: '',
      playbackId: null,
      digitTimer: null,
      queue: null,
      queueTimers: [],
      offer: null,
      direct: null,
      external: null,
      voicemail: null,
      callback: null,
      afterPlayback: null,
      held: null,
      bridgeId: null,
      recordingName: null,
      ended: false,
      systemCause: null,
    }
    this.#sessions.set(call.uuid, session)
    this.#byChannel.set(customerChannelId, call.uuid)
    return session
  }

  // --- event plumbing ----------------------------------------------------------------------------

  #withChannel(channelId: string, fn: (session: CallSession) => Promise<void> | void) {
    const uuid = this.#byChannel.get(channelId)
    const session = uuid ? this.#sessions.get(uuid) : undefined
    if (!session) return
    return this.#locked(session, () => fn(session))
  }

  /** Work nobody awaits (timers, follow-ups): a failure is logged, never an unhandled rejection. */
  #background(what: string, work: Promise<unknown>) {
    work.catch((error) => this.options.logger?.error(`${what}: ${(error as Error).stack ?? error}`))
  }

  /**
   * Events of one call (two channels) run one at a time, in arrival order. When one has been
   * handled, what it recorded is written (call records are written behind, see CallRecorder):
   * whoever then sees its effects (an agent on call, a callback done) finds the call's records.
   */
  #locked(session: CallSession, fn: () => Promise<void> | void) {
    const run = session.lock
      .then(async () => {
        if (this.#stopped) return
        await fn()
        await callRecorder.flush()
      })
      .catch((error) => {
        this.options.logger?.error(`call ${session.call.uuid}: ${(error as Error).stack ?? error}`)
      })
    session.lock = run
    return run
  }

  async #onStasisStart(channel: AriChannel, args: string[]) {
    const [kind, value] = args
    if (kind === 'inbound') return this.#onInbound(channel, value ?? channel.dialplan?.exten ?? '')
    if (kind === 'agent-dial') return this.#featureCodes.handle(channel, value ?? '')
    const session = value ? this.#sessions.get(value) : undefined
    if (!session) {
      await this.ari.client.hangup(channel.id).catch(() => {})
      return
    }
    if (kind === 'agent')
      return this.#locked(session, () => this.#onAgentAnswered(session, channel))
    if (kind === 'agent-recorded')
      return this.#locked(session, () => this.#onAgentRecording(session, channel))
    if (kind === 'external')
      return this.#locked(session, () => this.#onExternalAnswered(session, channel))
    if (kind === 'callback-customer')
      return this.#locked(session, () => this.#onCallbackAnswered(session, channel))
  }

  // --- inbound: route and IVR --------------------------------------------------------------------

  async #onInbound(channel: AriChannel, did: string) {
    // The dial plan answers before handing the call over ([from-trunk]); a channel that arrives
    // unanswered (another context, an older dial plan) is answered while its record is written.
    const answered = channel.state === 'Up' ? Promise.resolve() : this.ari.client.answer(channel.id)
    answered.catch(() => {})
    const configRead = this.#config.refresh()
    configRead.catch(() => {})
    const call = await callRecorder.open({
      channelId: channel.id,
      did,
      callerNumber: channel.caller?.number || null,
      callerName: channel.caller?.name || null,
    })
    const session = this.#newSession(call, channel.id)
    // Ready by the time the caller reaches a queue (VIP priority).
    session.customer = this.#lookupCustomer(call)
    session.customer.catch(() => {})
    await this.#locked(session, async () => {
      await answered
      await callRecorder.legAnswered(channel.id)
      await configRead
      const routes = await this.#config.routes()
      const route = routes.find(
        (r) =>
          matchDid(r.didPattern, did) &&
          (!r.callerPattern || matchDid(r.callerPattern, call.callerNumber ?? ''))
      )
      if (!route) {
        await callRecorder.event(call, 'route_selected', { did, route: null })
        return this.#hangupCustomer(session, 'no_route')
      }
      let targetType: string | null = route.targetType
      let targetId: number | null = route.targetId
      let open = true
      if (route.calendarId) {
        // A route whose calendar was deleted stays open rather than turning callers away.
        open = (await this.#openNow(route.calendarId)) ?? true
        if (!open) {
          targetType = route.closedTargetType
          targetId = route.closedTargetId
        }
      }
      await callRecorder.state(call, call.state, { routeId: route.id })
      await callRecorder.event(call, 'route_selected', {
        did,
        routeId: route.id,
        open,
        targetType,
        targetId,
      })
      if (targetType === 'ivr' && targetId) return this.#startIvr(session, targetId)
      if (targetType === 'queue' && targetId) return this.#enterQueue(session, targetId)
      if (targetType === 'agent' && targetId) return this.#offerDirect(session, targetId)
      if (targetType === 'voicemail' && targetId)
        return this.#startVoicemail(session, { queueId: targetId, agentId: null }, 'route')
      return this.#hangupCustomer(session, open ? 'unsupported_target' : 'closed')
    })
  }

  /** Whether the calendar is open right now; null when it no longer exists. */
  async #openNow(calendarId: number): Promise<boolean | null> {
    const calendar = await this.#config.calendar(calendarId)
    if (!calendar) return null
    return isOpen(calendar.toBusinessCalendar(), new Date(), calendar.timeZone)
  }

  async #startIvr(session: CallSession, flowId: number) {
    const flow = await this.#config.flow(flowId)
    const media = flow.media
    const interpreter = new IvrInterpreter(flow.definition, {
      uploadMedia: (id) => media.get(String(id)) ?? `recording:prompts/${id}`,
    })
    await callRecorder.state(session.call, 'ivr', {
      ivrFlowId: flow.id,
      ivrFlowVersion: flow.version,
    })
    const step = interpreter.start()
    session.ivr = { interpreter, state: step.state, flowId: flow.id }
    await callRecorder.event(session.call, 'ivr_node', { nodeId: step.state.nodeId })
    await this.#perform(session, step.action)
  }

  async #ivrInput(session: CallSession, input: Parameters<IvrInterpreter['step']>[1]) {
    if (!session.ivr || session.ended) return
    const before = session.ivr.state.nodeId
    const step = session.ivr.interpreter.step(session.ivr.state, input)
    session.ivr.state = step.state
    if (input.kind === 'digits') {
      await callRecorder.event(session.call, 'ivr_digits', { nodeId: before, digits: input.digits })
    }
    if (step.state.nodeId !== before) {
      await callRecorder.event(session.call, 'ivr_node', { nodeId: step.state.nodeId })
    }
    await this.#perform(session, step.action)
  }

  async #perform(session: CallSession, action: IvrAction) {
    switch (action.type) {
      case 'play': {
        session.waitingDigits =
          action.then === 'wait_digits'
            ? {
                maxDigits: action.maxDigits ?? 1,
                timeoutSeconds: action.timeoutSeconds ?? 5,
                terminator: action.terminator,
              }
            : null
        session.digits = ''
        const playback = await this.ari.client.play(session.customerChannelId, action.media, {
          playbackId: randomUUID(),
        })
        session.playbackId = playback.id
        return
      }
      case 'check_hours': {
        const open = (await this.#openNow(Number(action.calendarId))) ?? false
        return this.#ivrInput(session, { kind: 'hours', open })
      }
      case 'enter_queue':
        session.ivr = null
        return this.#enterQueue(session, Number(action.queueId), action.digitsCollected)
      case 'hangup':
        return this.#hangupCustomer(session, 'ivr_hangup')
      case 'voicemail': {
        session.ivr = null
        const target = action.target
        return this.#startVoicemail(
          session,
          'queueId' in target
            ? { queueId: Number(target.queueId), agentId: null }
            : { queueId: null, agentId: Number(target.agentId) },
          'ivr'
        )
      }
      case 'transfer':
        session.ivr = null
        await callRecorder.event(session.call, 'transferred', {
          to: 'external',
          number: action.number,
          from: 'ivr',
        })
        await callRecorder.state(session.call, session.call.state, { transferred: true })
        return this.#dialExternal(session, action.number)
      case 'none':
        return
    }
  }

  #armDigitTimer(session: CallSession) {
    if (session.digitTimer) clearTimeout(session.digitTimer)
    if (!session.waitingDigits) return
    session.digitTimer = setTimeout(() => {
      session.digitTimer = null
      void this.#locked(session, async () => {
        if (!session.waitingDigits) return
        const digits = session.digits
        session.waitingDigits = null
        session.digits = ''
        await this.#ivrInput(session, digits ? { kind: 'digits', digits } : { kind: 'timeout' })
      })
    }, session.waitingDigits.timeoutSeconds * 1000)
  }

  async #onPlaybackFinished(session: CallSession, playbackId: string) {
    if (playbackId !== session.playbackId) return
    session.playbackId = null
    if (session.afterPlayback) {
      const next = session.afterPlayback
      session.afterPlayback = null
      return next()
    }
    if (session.voicemail?.phase === 'intro') return this.#recordVoicemail(session)
    if (session.waitingDigits) return this.#armDigitTimer(session)
    if (session.ivr) return this.#ivrInput(session, { kind: 'playback_finished' })
  }

  async #onDigit(session: CallSession, digit: string) {
    const waiting = session.waitingDigits
    if (!waiting) return
    // Barge-in: a key press stops the prompt.
    if (session.playbackId) {
      const id = session.playbackId
      session.playbackId = null
      // Not awaited: the caller's next step (an agent's phone ringing) need not wait for it.
      void this.ari.client.stopPlayback(id).catch(() => {})
    }
    const done = digit === waiting.terminator
    if (!done) session.digits += digit
    if (done || session.digits.length >= waiting.maxDigits) {
      if (session.digitTimer) clearTimeout(session.digitTimer)
      session.digitTimer = null
      const digits = session.digits
      session.waitingDigits = null
      session.digits = ''
      return this.#ivrInput(session, { kind: 'digits', digits })
    }
    this.#armDigitTimer(session)
  }

  // --- queue and ACD -----------------------------------------------------------------------------

  async #enterQueue(
    session: CallSession,
    queueId: number,
    collected: Record<string, string> = {},
    keepPlaceAt?: number
  ) {
    const queue = await this.#config.queue(queueId)
    if (!queue) throw new Error(`queue ${queueId} not found`)
    const customer = await (session.customer ??= this.#lookupCustomer(session.call))
    const vip = customer?.tier === 'vip'
    const now = Date.now()
    session.queue = {
      queueId,
      enteredAt: keepPlaceAt ?? now,
      since: now,
      priority: queue.priority + (vip ? 100 : 0),
      excluded: [],
      overflowDue: false,
    }
    await callRecorder.state(session.call, 'queue', {
      queueId,
      customerId: customer?.id ?? session.call.customerId,
    })
    await callRecorder.event(session.call, 'queue_entered', {
      queueId,
      priority: session.queue.priority,
      vip,
      collected,
      keptPlace: keepPlaceAt !== undefined,
    })
    // The max wait counts from now, whatever follows.
    this.#armQueueTimers(session, queue)
    // A free agent's phone rings first (the records above are written behind); the music
    // follows, so the caller hears it while the agent's phone rings or while waiting. Not
    // awaited: a slow answer from Asterisk must not hold up this call's next events; whoever
    // stops the music waits for it to have started.
    try {
      await this.dispatch(queueId, session)
    } catch (error) {
      // Never at the cost of the music and the max-wait timer: the next round offers the call.
      this.options.logger?.error(`call ${session.call.uuid}: no offer yet: ${error}`)
    }
    if (session.ended) return
    session.mohStarting = this.#startMoh(session, queue.musicOnHold)
  }

  /** The caller as a known customer (VIP or not), looked up while the menu plays. */
  async #lookupCustomer(call: Call): Promise<{ id: number; tier: string } | null> {
    const [column, value] = call.customerId
      ? ['id', call.customerId]
      : call.callerNumber
        ? ['phone_number', call.callerNumber]
        : [null, null]
    if (!column) return null
    const row = await sqliteFirst(
      `select id, tier from customers where ${column} = ? limit 1`,
      [value],
      () => db.from('customers').where(column, value).select('id', 'tier').first()
    )
    return row ? { id: Number(row.id), tier: String(row.tier) } : null
  }

  async dispatchAll() {
    // A change of queues or members applies at this round; a new call reads it on arrival.
    await this.#config.refresh()
    const queueIds = new Set<number>()
    for (const s of this.#sessions.values())
      if (s.queue && !s.offer && !s.ended) queueIds.add(s.queue.queueId)
    if (this.options.outboundTrunk) {
      const withCallbacks = await db
        .from('callback_requests')
        .where('status', 'pending')
        .whereNotNull('queue_id')
        .distinct('queue_id')
      for (const row of withCallbacks) queueIds.add(Number(row.queue_id))
    }
    for (const id of queueIds) await this.dispatch(id)
  }

  /**
   * Matches waiting callers of a queue with free agents and rings them. `holder` is a call whose
   * lock the caller holds: its offer is made at once; other calls' offers wait for their own
   * locks, and then are not awaited (two calls dispatching for each other would wait forever).
   */
  async dispatch(queueId: number, holder?: CallSession) {
    const isWaiting = (s: CallSession) => s.queue?.queueId === queueId && !s.offer && !s.ended
    // Callback requests wait with the callers, in the place the caller had (their entry time).
    const callbacks = this.options.outboundTrunk
      ? await CallbackRequest.query()
          .where('queue_id', queueId)
          .where('status', 'pending')
          // A customer who did not answer is tried again after a pause, not at once.
          .where((q) =>
            q
              .whereNull('last_attempt_at')
              .orWhere('last_attempt_at', '<', sqlTime(DateTime.utc().minus({ minutes: 2 })))
          )
          .orderBy('entered_at')
          .limit(50)
      : []
    if (callbacks.length === 0 && ![...this.#sessions.values()].some(isWaiting)) return
    const queue = await this.#config.queue(queueId)
    if (!queue) return
    const candidates = await this.#candidates(queue, true)
    const requiredSkill = candidates.requiredSkill
    // Who waits is read after the reads above: meanwhile a caller may have hung up, been offered
    // by another round or gone to voicemail.
    const calls: QueuedCall[] = []
    for (const s of this.#sessions.values()) {
      if (!isWaiting(s) || !s.queue) continue
      calls.push({
        callId: s.call.uuid,
        enteredAt: s.queue.enteredAt,
        priority: s.queue.priority,
        requiredSkill,
        minSkillLevel: requiredSkill ? queue.requiredSkillLevel : null,
        excludedAgentIds: s.queue.excluded.map(String),
      })
    }
    for (const request of callbacks)
      calls.push({
        callId: `callback:${request.id}`,
        enteredAt: request.enteredAt.toMillis(),
        priority: queue.priority,
        requiredSkill,
        minSkillLevel: requiredSkill ? queue.requiredSkillLevel : null,
        excludedAgentIds: [],
      })
    const result = matchCallsToAgents(
      calls,
      candidates.list,
      { strategy: queue.strategy as QueueStrategy },
      Date.now(),
      this.#roundRobin.get(queueId) ?? null
    )
    this.#roundRobin.set(queueId, result.cursor)
    for (const { call, agent } of result.assignments) {
      const endpoint = candidates.endpoints.get(agent.agentId)
      if (call.callId.startsWith('callback:') && endpoint) {
        const request = callbacks.find((r) => `callback:${r.id}` === call.callId)
        if (request) await this.#startCallback(request, queue, Number(agent.agentId), endpoint)
        continue
      }
      const session = this.#sessions.get(call.callId)
      if (!session || !endpoint) continue
      const offer = async () => {
        await this.#offer(session, queue.ringTimeoutSeconds, Number(agent.agentId), endpoint)
      }
      if (session === holder) await offer()
      else if (holder) void this.#locked(session, offer)
      else await this.#locked(session, offer)
    }
  }

  /** The queue's agents with a phone, as the ACD sees them now (state from the database). */
  async #candidates(queue: Queue, onlyAvailable = false) {
    const { members, requiredSkill } = await this.#config.members(queue)
    const endpoints = new Map<string, string>()
    if (members.length === 0) return { list: [] as AgentCandidate[], endpoints, requiredSkill }
    const ids = members.map((m) => m.userId)
    // Agents' states change all the time, from the web and the phones: always read (on SQLite
    // straight from better-sqlite3: this read is on the path from the caller's key to the ring).
    // Offers need only the available ones (no other state is eligible); the wait estimate
    // counts every staffed agent.
    const only = onlyAvailable ? " and state = 'available'" : ''
    const states =
      (await sqliteAll(
        `select user_id, state, since from agent_states where user_id in (${ids.map(() => '?').join(', ')})${only}`,
        ...ids
      )) ??
      (await db
        .from('agent_states')
        .whereIn('user_id', ids)
        .if(onlyAvailable, (q) => q.where('state', 'available'))
        .select('user_id', 'state', 'since'))
    const stateOf = new Map(states.map((r) => [Number(r.user_id), r]))
    // Only the fewest-calls strategy needs today's counts.
    const callsToday = new Map<number, number>()
    if (queue.strategy === 'fewest_calls_today') {
      const today = DateTime.utc().startOf('day').toFormat(db.connection().dialect.dateTimeFormat)
      const counts = await db
        .from('calls')
        .whereIn('agent_id', ids)
        .where('started_at', '>=', today)
        .groupBy('agent_id')
        .select('agent_id')
        .count('* as n')
      for (const c of counts) callsToday.set(Number(c.agent_id), Number(c.n))
    }
    const list: AgentCandidate[] = members.map((m) => {
      const id = String(m.userId)
      endpoints.set(id, m.endpoint)
      const row = stateOf.get(m.userId)
      return {
        agentId: id,
        state: (row?.state ?? 'offline') as AgentCandidate['state'],
        availableSince: row ? timestampMs(row.since) : 0,
        lastOfferedAt: null,
        callsToday: callsToday.get(m.userId) ?? 0,
        skills: m.skills,
      }
    })
    return { list, endpoints, requiredSkill }
  }

  async #offer(
    session: CallSession,
    ringTimeoutSeconds: number,
    agentId: number,
    endpoint: string
  ) {
    if (session.ended || session.offer) return false
    if (session.queue && !this.#inQueue(session)) return false
    // Claim the agent atomically: only an available agent becomes ringing.
    if (!(await agentStates.set(agentId, 'ringing', { onlyFrom: ['available'] }))) return false
    const channelId = randomUUID()
    session.offer = { channelId, agentId, endpoint, answered: false }
    this.#byChannel.set(channelId, session.call.uuid)
    // The phone rings first, the records follow: the agent's answer is handled under this call's
    // lock, so it cannot overtake them. The recording's name travels with the originate, saving
    // round trips when the agent answers.
    let failed = false
    try {
      await this.ari.client.request('POST', '/channels', {
        query: {
          endpoint: `PJSIP/${endpoint}`,
          app: this.ari.config.app,
          appArgs: `agent,${session.call.uuid}`,
          channelId,
          callerId: session.call.callerNumber ?? '',
          timeout: ringTimeoutSeconds,
        },
        body: {
          variables: {
            RINGDESK_RECORDING: this.#recordingNameFor(session, channelId),
            RINGDESK_CALL: session.call.uuid,
          },
        },
      })
    } catch (error) {
      this.options.logger?.warning(`offer to ${endpoint} failed: ${(error as Error).message}`)
      failed = true
    }
    await callRecorder.state(session.call, 'ringing', { agentId })
    await callRecorder.leg(session.call, channelId, 'agent', `PJSIP/${endpoint}`, agentId)
    await callRecorder.event(session.call, 'offered', { agentId, endpoint })
    if (failed) await this.#offerFailed(session, 'originate_failed')
    return true
  }

  /** One file per agent leg: a transferred call has one recording per agent who took it. */
  #recordingNameFor(session: CallSession, agentChannelId: string) {
    return `${session.call.uuid}-${agentChannelId.slice(0, 8)}.wav`
  }

  async #offerFailed(session: CallSession, cause: string) {
    const offer = session.offer
    if (!offer) return
    session.offer = null
    await callRecorder.legEnded(offer.channelId, cause)
    await callRecorder.event(session.call, 'ring_no_answer', { agentId: offer.agentId, cause })
    // Not answering takes the agent out of rotation until they say they are back.
    await agentStates.set(offer.agentId, 'missed', { onlyFrom: ['ringing'], reason: cause })
    if (session.ended) return
    if (session.callback) return this.#callbackFailed(session, 'agent_no_answer', false)
    if (session.direct) {
      // A transfer to a named agent who did not answer: the caller leaves them a message.
      const { agentId } = session.direct
      session.direct = null
      return this.#startVoicemail(session, { queueId: null, agentId }, 'no_answer')
    }
    if (session.queue) {
      session.queue.excluded.push(offer.agentId)
      await callRecorder.state(session.call, 'queue', { agentId: null })
      if (session.queue.overflowDue) return this.#overflow(session)
      this.#background(
        `dispatch of queue ${session.queue.queueId}`,
        this.dispatch(session.queue.queueId)
      )
    }
  }

  async #onAgentAnswered(session: CallSession, channel: AriChannel) {
    if (!session.offer || session.offer.channelId !== channel.id || session.ended) {
      await this.ari.client.hangup(channel.id).catch(() => {})
      return
    }
    session.offer.answered = true
    await callRecorder.legAnswered(channel.id)
    // Through the dial plan once, to start MixMonitor on the agent's channel (its file name was
    // set as a channel variable by the originate), then back here.
    session.recordingName = this.#recordingNameFor(session, channel.id)
    this.#leavingForDialplan.add(channel.id)
    await this.ari.client.continueInDialplan(channel.id, {
      context: 'ringdesk-record',
      extension: 's',
      priority: 1,
    })
  }

  async #onAgentRecording(session: CallSession, channel: AriChannel) {
    if (!session.offer || session.ended) {
      await this.ari.client.hangup(channel.id).catch(() => {})
      return
    }
    // proxy_media keeps the audio flowing through Asterisk (no native RTP bridge), so the
    // agent channel's MixMonitor hears both parties.
    const bridge = await this.ari.client.createBridge({
      type: 'mixing,proxy_media',
      name: `call-${session.call.uuid}`,
    })
    session.bridgeId = bridge.id
    if (session.callback) return this.#dialCallbackCustomer(session, channel, bridge.id)
    this.#clearQueueTimers(session)
    // An announcement still playing would talk over the agent.
    await this.#stopPlayback(session)
    await this.#stopMoh(session)
    await this.ari.client.addChannel(bridge.id, [session.customerChannelId, channel.id])
    const now = DateTime.utc()
    const wait = session.queue ? Math.round((Date.now() - session.queue.enteredAt) / 1000) : 0
    // From ringing, as the offer left them (one conditional write); whatever else, on call now.
    if (!(await agentStates.set(session.offer.agentId, 'on_call', { onlyFrom: ['ringing'] })))
      await agentStates.set(session.offer.agentId, 'on_call')
    // A transferred call keeps its first answer time and wait: they are the caller's.
    const firstAnswer = !session.call.answeredAt
    await callRecorder.state(session.call, 'bridged', {
      answeredAt: session.call.answeredAt ?? now,
      waitSeconds: firstAnswer ? wait : session.call.waitSeconds,
      agentId: session.offer.agentId,
    })
    await callRecorder.event(session.call, 'queue_left', {
      queueId: session.queue?.queueId,
      waitSeconds: wait,
      reason: 'answered',
    })
    await callRecorder.event(session.call, 'answered', {
      agentId: session.offer.agentId,
      waitSeconds: wait,
    })
    await this.#openRecording(session, session.queue?.queueId ?? session.call.queueId)
    session.queue = null
    session.direct = null
  }

  /** The row of the agent leg's MixMonitor file; sized and sealed when the leg ends. */
  async #openRecording(session: CallSession, queueId: number | null) {
    await callRecorder.event(session.call, 'recording_started', { file: session.recordingName })
    const servedBy = queueId ? await this.#config.queue(queueId) : null
    const retentionDays = servedBy?.recordingRetentionDays ?? 90
    const now = DateTime.utc()
    const row = {
      call_id: session.call.id,
      storage_path: session.recordingName!,
      kind: 'call',
      format: 'wav',
      bytes: 0,
      duration_ms: 0,
      encrypted: false,
      retention_until: sqlTime(now.plus({ days: retentionDays })),
      created_at: sqlTime(now),
    }
    const columns = Object.keys(row)
    const written = await sqliteRun(
      `insert into recordings (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`,
      ...Object.values(row)
    )
    if (written === undefined) await db.table('recordings').insert(row)
  }

  // --- hangups -----------------------------------------------------------------------------------

  async #onChannelGone(session: CallSession, channelId: string, cause: string) {
    // StasisEnd and ChannelDestroyed may both arrive: the first one handles it.
    if (!this.#byChannel.delete(channelId)) return
    this.#hangupCauses.delete(channelId)
    if (session.offer?.channelId === channelId && !session.offer.answered) {
      await this.#offerFailed(session, cause)
      return
    }
    if (session.external?.channelId === channelId && !session.external.answered) {
      await this.#externalFailed(session, cause)
      return
    }
    if (session.callback && !session.callback.customerAnswered) {
      // The customer did not answer (counts as an attempt), or the agent gave up waiting.
      const customer = channelId === session.customerChannelId
      if (!customer) await callRecorder.legEnded(channelId, cause)
      await this.#callbackFailed(session, customer ? cause : 'agent_hung_up', true, customer)
      return
    }
    await callRecorder.legEnded(channelId, cause)
    if (session.ended) return this.#forget(session)
    session.ended = true
    if (session.digitTimer) clearTimeout(session.digitTimer)
    this.#clearQueueTimers(session)
    const customerLeft = channelId === session.customerChannelId
    const counterpart = session.offer?.channelId ?? session.external?.channelId
    const other = customerLeft ? counterpart : session.customerChannelId
    if (other)
      await this.ari.client
        .hangup(other)
        .catch((e) => (isAriNotFound(e) ? null : Promise.reject(e)))

    // The caller gave up while waiting for an agent (in the queue or while one was ringing).
    const waiting = session.queue !== null || (session.offer !== null && !session.offer.answered)
    if (customerLeft && waiting && !session.systemCause) {
      const wait = session.queue ? Math.round((Date.now() - session.queue.enteredAt) / 1000) : 0
      await callRecorder.state(session.call, session.call.state, {
        abandoned: true,
        waitSeconds: wait,
      })
      await callRecorder.event(session.call, 'abandoned', {
        waitSeconds: wait,
        queueId: session.queue?.queueId,
      })
    }
    if (session.offer && !session.offer.answered)
      await agentStates.set(session.offer.agentId, 'available', { onlyFrom: ['ringing'] })
    if (session.voicemail) await this.#saveVoicemail(session)
    if (session.held) await this.#endHold(session)
    if (session.bridgeId) {
      await this.ari.client.destroyBridge(session.bridgeId).catch(() => {})
      session.bridgeId = null
      await this.#finishRecording(session, session.recordingName)
      if (session.offer?.answered)
        this.#background('wrap-up', this.#wrapUp(session.offer.agentId, session.call.queueId))
    }
    const side = customerLeft ? 'customer' : session.external ? 'external' : 'agent'
    await callRecorder.end(
      session.call,
      session.systemCause ? `system:${session.systemCause}` : `${side}:${cause}`
    )
    if (!other) this.#forget(session)
  }

  /** After an agent's leg: the MixMonitor file's size and length, then sealed into the vault. */
  async #finishRecording(session: CallSession, name: string | null) {
    if (!name) return
    if (session.recordingName === name) session.recordingName = null
    const path = `${this.options.recordingDir}/${name}`
    const recording = await sqliteFirst(
      'select id from recordings where call_id = ? and storage_path = ? limit 1',
      [session.call.id, name],
      () =>
        db
          .from('recordings')
          .where('call_id', session.call.id)
          .where('storage_path', name)
          .select('id')
          .first()
    )
    // MixMonitor closes the file just after the channel goes.
    const size = await this.#audioWritten(path)
    if (size === 0) {
      this.options.logger?.warning(`recording ${path} not found after the call`)
      return
    }
    const durationMs = wavDurationMs(size)
    if (recording) {
      const sized = await sqliteRun(
        'update recordings set bytes = ?, duration_ms = ? where id = ?',
        size,
        durationMs,
        recording.id
      )
      if (sized === undefined)
        await db
          .from('recordings')
          .where('id', recording.id)
          .update({ bytes: size, duration_ms: durationMs })
    }
    await callRecorder.state(session.call, session.call.state, { hasRecording: true })
    await callRecorder.event(session.call, 'recording_finished', {
      file: name,
      bytes: size,
      durationMs,
    })
    // Recording vault: encrypt at rest and delete the plaintext (#actions/recordings).
    const handOff = this.options.sealRecording
    if (handOff) {
      if (!recording) {
        this.options.logger?.warning(`recording ${path} has no row: not sealed`)
        return
      }
      const handed = { id: Number(recording.id), callId: session.call.id }
      // Not awaited, and not even a synchronous throw reaches the hang-up handling.
      void Promise.resolve()
        .then(() => handOff(handed))
        .catch((e) => this.options.logger?.warning(`recording ${path} not handed over: ${e}`))
      return
    }
    const { default: SealRecording } = await import('#actions/recordings/seal_recording')
    await new SealRecording()
      .handle(
        session.call.id,
        this.options.recordingDir,
        recording ? Number(recording.id) : undefined
      )
      .catch((e) => this.options.logger?.error(`recording ${path} not encrypted: ${e}`))
  }

  /**
   * The size of a WAV file Asterisk is finishing (MixMonitor, a live recording), once it holds
   * audio beyond its 44-byte header; 0 when none appears within two seconds.
   */
  async #audioWritten(path: string): Promise<number> {
    const { stat } = await import('node:fs/promises')
    for (let i = 0; i < 20; i++) {
      const info = await stat(path).catch(() => null)
      if (info && info.size > 44) return info.size
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    return 0
  }

  async #wrapUp(agentId: number, queueId: number | null) {
    await agentStates.set(agentId, 'wrap_up', { onlyFrom: ['on_call'] })
    const queue = queueId ? await this.#config.queue(queueId) : null
    const seconds = queue?.wrapUpSeconds ?? 0
    // Tracked, so a stopping worker cancels it: fired after shutdown it would reopen the database
    // and keep the process alive. Whoever takes over ends overdue wrap-ups (#reconcile).
    const timer = setTimeout(() => {
      this.#wrapUpTimers.delete(timer)
      if (this.#stopped) return
      void agentStates
        .set(agentId, 'available', { onlyFrom: ['wrap_up'] })
        .then(() => this.dispatchAll())
        .catch((error) => this.options.logger?.error(`wrap-up of ${agentId}: ${error}`))
    }, seconds * 1000)
    this.#wrapUpTimers.add(timer)
  }

  async #hangupCustomer(session: CallSession, cause: string) {
    session.systemCause = cause
    await this.ari.client.hangup(session.customerChannelId).catch(() => {})
  }

  #forget(session: CallSession) {
    this.#clearQueueTimers(session)
    this.#sessions.delete(session.call.uuid)
  }

  // --- waiting: music, announcements, overflow ----------------------------------------------------

  /** Waiting in a queue for an agent, not yet offered to one. */
  #inQueue(session: CallSession) {
    return session.queue !== null && !session.ended
  }

  async #startMoh(session: CallSession, mohClass?: string | null) {
    await this.ari.client
      .request('POST', `/channels/${encodeURIComponent(session.customerChannelId)}/moh`, {
        query: { mohClass: mohClass || 'default' },
      })
      .catch(() => {})
  }

  async #stopMoh(session: CallSession) {
    await session.mohStarting
    session.mohStarting = undefined
    await this.ari.client
      .request('DELETE', `/channels/${encodeURIComponent(session.customerChannelId)}/moh`)
      .catch(() => {})
  }

  #clearQueueTimers(session: CallSession) {
    for (const timer of session.queueTimers) clearTimeout(timer)
    session.queueTimers = []
  }

  /** Max-wait overflow and periodic position/wait announcements for the caller's queue. */
  #armQueueTimers(session: CallSession, queue: Queue) {
    this.#clearQueueTimers(session)
    const stay = session.queue
    if (!stay) return
    const config = {
      maxWaitSeconds: queue.maxWaitSeconds,
      overflow: { action: queue.overflowAction, target: queue.overflowTarget },
    }
    const due = overflowDueAt({ enteredAt: stay.since }, config)
    if (due !== null) {
      setTimeoutAt(
        due,
        () =>
          void this.#locked(session, async () => {
            if (session.queue !== stay || session.ended) return
            if (!checkOverflow({ enteredAt: stay.since }, config, Date.now())) return
            // An agent is ringing: let that offer finish; if it fails the caller overflows then.
            if (session.offer) stay.overflowDue = true
            else await this.#overflow(session)
          }),
        (timer) => session.queueTimers.push(timer)
      )
    }
    if (queue.announceEverySeconds > 0) {
      const every = queue.announceEverySeconds * 1000
      const timer = setInterval(
        () =>
          void this.#locked(session, async () => {
            if (session.queue !== stay || session.ended || session.offer || session.playbackId)
              return
            await this.#announce(session, queue)
          }),
        every
      )
      session.queueTimers.push(timer)
    }
  }

  /** The caller's place among those waiting (1 = next), counting callbacks that keep theirs. */
  async #position(session: CallSession) {
    const stay = session.queue!
    const ahead = (other: QueueStay) =>
      other.priority > stay.priority ||
      (other.priority === stay.priority && other.enteredAt < stay.enteredAt)
    let position = 1
    for (const other of this.#sessions.values())
      if (other !== session && other.queue?.queueId === stay.queueId && !other.ended)
        if (ahead(other.queue)) position++
    const callbacks = await db
      .from('callback_requests')
      .where('queue_id', stay.queueId)
      .where('status', 'pending')
      .where('entered_at', '<', sqlTime(DateTime.fromMillis(stay.enteredAt)))
      .count('* as n')
      .first()
    return position + Number(callbacks?.n ?? 0)
  }

  /** "There are N calls ahead of you; the estimated wait is about M minutes", over the music. */
  async #announce(session: CallSession, queue: Queue) {
    const position = await this.#position(session)
    const recent = await db
      .from('calls')
      .where('queue_id', queue.id)
      .whereNotNull('answered_at')
      .where('state', 'ended')
      .orderBy('id', 'desc')
      .limit(50)
      .select('talk_seconds', 'hold_seconds', 'wrap_up_seconds')
    const handleTimes = recent.map(
      (r) => Number(r.talk_seconds) + Number(r.hold_seconds) + Number(r.wrap_up_seconds)
    )
    const { list } = await this.#candidates(queue)
    const estimate = estimateWait(position, handleTimes, countStaffedAgents(list))
    const media =
      position <= 1
        ? ['sound:queue-youarenext']
        : ['sound:queue-thereare', `number:${position - 1}`, 'sound:queue-callswaiting']
    if (estimate !== null && position > 1) {
      const said = roundWaitForAnnouncement(estimate)
      media.push('sound:queue-holdtime')
      if (said.kind === 'less_than_a_minute') media.push('sound:queue-less-than', 'number:1')
      else media.push(`number:${said.minutes}`)
      media.push(said.kind === 'less_than_a_minute' ? 'sound:queue-minute' : 'sound:queue-minutes')
    }
    await callRecorder.event(session.call, 'announced', {
      queueId: queue.id,
      position,
      estimatedWaitSeconds: estimate,
    })
    await this.#stopMoh(session)
    await this.#play(session, media, async () => {
      if (this.#inQueue(session) && !session.offer) await this.#startMoh(session, queue.musicOnHold)
    })
  }

  async #play(session: CallSession, media: string[], after: (() => Promise<void>) | null) {
    session.afterPlayback = after
    try {
      const playback = await this.ari.client.play(session.customerChannelId, media.join(','), {
        playbackId: randomUUID(),
      })
      session.playbackId = playback.id
    } catch (error) {
      session.afterPlayback = null
      if (after) await after()
    }
  }

  /** Cuts a prompt or announcement short (the caller moves on); its follow-up is dropped. */
  async #stopPlayback(session: CallSession) {
    const id = session.playbackId
    session.playbackId = null
    session.afterPlayback = null
    if (id) await this.ari.client.stopPlayback(id).catch(() => {})
  }

  async #playThenHangup(session: CallSession, media: string[], cause: string) {
    session.systemCause = cause
    await this.#play(session, media, () => this.#hangupCustomer(session, cause))
  }

  /** The caller stops waiting in the queue (overflow, voicemail, callback, transfer). */
  async #leaveQueue(session: CallSession, reason: string) {
    const stay = session.queue
    if (!stay) return
    this.#clearQueueTimers(session)
    session.queue = null
    await this.#stopPlayback(session)
    await this.#stopMoh(session)
    await callRecorder.event(session.call, 'queue_left', {
      queueId: stay.queueId,
      waitSeconds: Math.round((Date.now() - stay.enteredAt) / 1000),
      reason,
    })
  }

  /** The caller waited the queue's max wait: another queue, voicemail, a callback or goodbye. */
  async #overflow(session: CallSession) {
    const stay = session.queue
    if (!stay || session.ended) return
    const queue = await this.#config.queue(stay.queueId)
    const action = queue?.overflowAction ?? 'hangup'
    const target = queue?.overflowTarget ?? null
    await callRecorder.event(session.call, 'overflowed', {
      queueId: stay.queueId,
      action,
      target,
      waitSeconds: Math.round((Date.now() - stay.since) / 1000),
    })
    switch (action) {
      case 'queue': {
        const next = Number(target) ? await this.#config.queue(Number(target)) : null
        if (next && next.id !== stay.queueId) {
          await this.#leaveQueue(session, 'overflow')
          // The caller keeps their place: the next queue orders them by their first entry.
          return this.#enterQueue(session, next.id, {}, stay.enteredAt)
        }
        return this.#startVoicemail(session, { queueId: stay.queueId, agentId: null }, 'overflow')
      }
      case 'callback':
        return this.#requestCallback(session)
      case 'voicemail': {
        const mailbox = Number(target) || stay.queueId
        return this.#startVoicemail(session, { queueId: mailbox, agentId: null }, 'overflow')
      }
      default:
        await this.#leaveQueue(session, 'overflow')
        return this.#playThenHangup(session, ['sound:sorry', 'sound:vm-goodbye'], 'overflow_hangup')
    }
  }

  /**
   * The caller is called back instead of waiting on: the request keeps their original entry time,
   * so the queue offers it to an agent in the caller's turn. Without a number to call back, the
   * caller leaves a voicemail instead.
   */
  async #requestCallback(session: CallSession) {
    const stay = session.queue!
    const number = session.call.callerNumber ?? ''
    if (!EXTERNAL_NUMBER.test(number)) {
      return this.#startVoicemail(session, { queueId: stay.queueId, agentId: null }, 'no_number')
    }
    const request = await CallbackRequest.create({
      callId: session.call.id,
      number,
      queueId: stay.queueId,
      enteredAt: DateTime.fromMillis(stay.enteredAt).toUTC(),
      status: 'pending',
    })
    await callRecorder.event(session.call, 'callback_requested', {
      callbackId: request.id,
      queueId: stay.queueId,
      number,
      waitSeconds: Math.round((Date.now() - stay.enteredAt) / 1000),
    })
    await this.#leaveQueue(session, 'callback')
    await this.#playThenHangup(
      session,
      ['sound:auth-thankyou', 'sound:vm-goodbye'],
      'callback_requested'
    )
  }

  // --- callbacks: the queue calls the customer back in their turn --------------------------------

  /**
   * A pending callback's turn came and `agentId` is free: ring the agent first (they see the
   * customer's number), and dial the customer through the trunk once the agent answers.
   */
  async #startCallback(request: CallbackRequest, queue: Queue, agentId: number, endpoint: string) {
    const at = DateTime.utc()
    const claimed = await db
      .from('callback_requests')
      .where('id', request.id)
      .where('status', 'pending')
      .update({
        status: 'dialing',
        attempts: request.attempts + 1,
        last_attempt_at: sqlTime(at),
        updated_at: sqlTime(at),
      })
    if (affectedRows(claimed) === 0) return
    const call = await callRecorder.openCallback({ number: request.number, queueId: queue.id })
    await db.from('callback_requests').where('id', request.id).update({ callback_call_id: call.id })
    // The customer's channel id is chosen now: the agent's answer dials it.
    const session = this.#newSession(call, randomUUID())
    session.callback = {
      requestId: request.id,
      number: request.number,
      customerAnswered: false,
      previousAttemptAt: request.lastAttemptAt,
    }
    await this.#locked(session, async () => {
      await callRecorder.event(call, 'callback_started', {
        callbackId: request.id,
        attempt: request.attempts + 1,
        requestedCallId: request.callId,
        enteredAt: request.enteredAt.toMillis(),
      })
      if (!(await this.#offer(session, queue.ringTimeoutSeconds, agentId, endpoint)))
        await this.#callbackFailed(session, 'agent_taken', false)
    })
  }

  async #dialCallbackCustomer(session: CallSession, agentChannel: AriChannel, bridgeId: string) {
    const callback = session.callback!
    const offer = session.offer!
    await this.ari.client.addChannel(bridgeId, [agentChannel.id])
    await agentStates.set(offer.agentId, 'on_call')
    await callRecorder.state(session.call, 'ringing', { agentId: offer.agentId })
    await callRecorder.event(session.call, 'callback_dialing', {
      callbackId: callback.requestId,
      agentId: offer.agentId,
    })
    // The agent hears ringing while the customer's phone rings.
    await this.ari.client
      .request('POST', `/channels/${encodeURIComponent(agentChannel.id)}/ring`)
      .catch(() => {})
    const endpoint = `PJSIP/${callback.number}@${this.options.outboundTrunk}`
    await callRecorder.leg(session.call, session.customerChannelId, 'customer', endpoint, null)
    try {
      await this.ari.client.request('POST', '/channels', {
        query: {
          endpoint,
          app: this.ari.config.app,
          appArgs: `callback-customer,${session.call.uuid}`,
          channelId: session.customerChannelId,
          timeout: 30,
        },
      })
    } catch (error) {
      this.options.logger?.warning(`callback ${endpoint}: ${(error as Error).message}`)
      await this.#callbackFailed(session, 'originate_failed', true)
    }
  }

  async #onCallbackAnswered(session: CallSession, channel: AriChannel) {
    const callback = session.callback
    if (!callback || channel.id !== session.customerChannelId || session.ended || !session.offer) {
      await this.ari.client.hangup(channel.id).catch(() => {})
      return
    }
    callback.customerAnswered = true
    await callRecorder.legAnswered(channel.id)
    await this.ari.client
      .request('DELETE', `/channels/${encodeURIComponent(session.offer.channelId)}/ring`)
      .catch(() => {})
    await this.ari.client.addChannel(session.bridgeId!, [channel.id])
    const now = DateTime.utc()
    await callRecorder.state(session.call, 'bridged', { answeredAt: now })
    await callRecorder.event(session.call, 'answered', {
      agentId: session.offer.agentId,
      callbackId: callback.requestId,
    })
    await this.#openRecording(session, session.call.queueId)
    // Done means reached: whoever sees it finds the call bridged.
    await callRecorder.flush()
    await db
      .from('callback_requests')
      .where('id', callback.requestId)
      .update({
        status: 'done',
        handled_by: session.offer.agentId,
        handled_at: sqlTime(now),
        updated_at: sqlTime(now),
      })
  }

  /**
   * A callback attempt that did not reach the customer. If the agent did not answer, the attempt
   * is given back; if the customer did not, it counts, and after the last one the request fails.
   */
  async #callbackFailed(
    session: CallSession,
    cause: string,
    agentAnswered: boolean,
    countsAttempt = agentAnswered
  ) {
    const callback = session.callback
    if (!callback) return
    session.callback = null
    session.ended = true
    const request = await CallbackRequest.find(callback.requestId)
    if (request) {
      const customerMissed = countsAttempt
      const attempts = customerMissed ? request.attempts : Math.max(0, request.attempts - 1)
      request.merge({
        attempts,
        lastAttemptAt: customerMissed ? request.lastAttemptAt : callback.previousAttemptAt,
        status: customerMissed && attempts >= CALLBACK_MAX_ATTEMPTS ? 'failed' : 'pending',
      })
      await request.save()
    }
    await callRecorder.event(session.call, 'callback_failed', {
      callbackId: callback.requestId,
      cause,
      attempt: request?.attempts ?? null,
    })
    await callRecorder.legEnded(session.customerChannelId, cause)
    this.#byChannel.delete(session.customerChannelId)
    const offer = session.offer
    if (agentAnswered && offer) {
      this.#byChannel.delete(offer.channelId)
      await callRecorder.legEnded(offer.channelId, 'callback_no_answer')
      await this.ari.client.hangup(offer.channelId).catch(() => {})
      await this.ari.client.hangup(session.customerChannelId).catch(() => {})
      if (session.bridgeId) await this.ari.client.destroyBridge(session.bridgeId).catch(() => {})
      session.bridgeId = null
      // Only the agent waiting for an answer was recorded: nothing worth keeping.
      if (session.recordingName) {
        const { rm } = await import('node:fs/promises')
        const path = `${this.options.recordingDir}/${session.recordingName}`
        setTimeout(() => void rm(path, { force: true }), 1500)
      }
      this.#background('wrap-up', this.#wrapUp(offer.agentId, session.call.queueId))
    }
    await callRecorder.end(session.call, `system:callback_${cause}`)
    this.#forget(session)
  }

  // --- voicemail ---------------------------------------------------------------------------------

  async #startVoicemail(
    session: CallSession,
    target: { queueId: number | null; agentId: number | null },
    reason: string
  ) {
    if (session.ended) return
    await this.#leaveQueue(session, 'voicemail')
    session.ivr = null
    session.waitingDigits = null
    if (session.digitTimer) clearTimeout(session.digitTimer)
    session.digitTimer = null
    session.voicemail = {
      name: `vm-${session.call.uuid}-${Date.now()}`,
      queueId: target.queueId,
      agentId: target.agentId,
      phase: 'intro',
      saved: false,
    }
    await callRecorder.state(session.call, 'voicemail', {})
    await callRecorder.event(session.call, 'voicemail', { ...target, reason })
    // "Please leave your message after the tone; when done, hang up or press the pound key."
    await this.#play(session, ['sound:vm-intro'], () => this.#recordVoicemail(session))
  }

  async #recordVoicemail(session: CallSession) {
    const voicemail = session.voicemail
    if (!voicemail || voicemail.phase !== 'intro' || session.ended) return
    voicemail.phase = 'recording'
    try {
      await this.ari.client.record(session.customerChannelId, {
        name: voicemail.name,
        format: 'wav',
        maxDurationSeconds: this.options.voicemailMaxSeconds ?? 180,
        maxSilenceSeconds: 10,
        beep: true,
        terminateOn: '#',
        ifExists: 'overwrite',
      })
    } catch (error) {
      this.options.logger?.error(`voicemail ${voicemail.name}: ${(error as Error).message}`)
      voicemail.phase = 'done'
      await this.#playThenHangup(session, ['sound:sorry', 'sound:vm-goodbye'], 'voicemail_failed')
    }
  }

  #onRecordingDone(name: string, ok: boolean) {
    for (const session of this.#sessions.values()) {
      if (session.voicemail?.name !== name) continue
      return this.#locked(session, async () => {
        const voicemail = session.voicemail
        if (!voicemail || voicemail.phase !== 'recording') return
        voicemail.phase = 'done'
        if (ok) await this.#saveVoicemail(session)
        if (!session.ended)
          await this.#playThenHangup(
            session,
            ok ? ['sound:auth-thankyou', 'sound:vm-goodbye'] : ['sound:sorry', 'sound:vm-goodbye'],
            ok ? 'voicemail_left' : 'voicemail_failed'
          )
      })
    }
  }

  /** The message, once: a recording (kind voicemail, sealed into the vault) and a voicemail row. */
  async #saveVoicemail(session: CallSession) {
    const voicemail = session.voicemail
    if (!voicemail || voicemail.saved || voicemail.phase === 'intro') return
    voicemail.saved = true
    const file = `${voicemail.name}.wav`
    const path = `${this.options.recordingDir}/${file}`
    // Asterisk finishes the file as the recording stops (a hang-up stops it too).
    const size = await this.#audioWritten(path)
    if (size === 0) {
      await callRecorder.event(session.call, 'voicemail_empty', { file })
      return
    }
    const durationMs = wavDurationMs(size)
    const queue = voicemail.queueId ? await this.#config.queue(voicemail.queueId) : null
    const { recording, message } = await db.transaction(async (trx) => {
      const rec = await Recording.create(
        {
          callId: session.call.id,
          storagePath: file,
          kind: 'voicemail',
          format: 'wav',
          bytes: size,
          durationMs,
          encrypted: false,
          retentionUntil: DateTime.utc().plus({ days: queue?.recordingRetentionDays ?? 90 }),
        },
        { client: trx }
      )
      const vm = await Voicemail.create(
        {
          callId: session.call.id,
          queueId: queue?.id ?? null,
          agentId: voicemail.agentId,
          recordingId: rec.id,
          recordingPath: file,
          durationMs,
        },
        { client: trx }
      )
      await audit.record({
        trx,
        action: 'voicemail.received',
        actor: { id: null, label: 'system' },
        target: { type: 'voicemail', id: vm.id, label: null },
        after: {
          callId: session.call.id,
          queueId: vm.queueId,
          agentId: vm.agentId,
          durationMs,
          callerNumber: session.call.callerNumber,
        },
      })
      return { recording: rec, message: vm }
    })
    await callRecorder.event(session.call, 'voicemail_left', {
      voicemailId: message.id,
      queueId: message.queueId,
      agentId: message.agentId,
      durationMs,
    })
    const handOff = this.options.sealRecording
    if (handOff) {
      const handed = { id: recording.id, callId: session.call.id }
      void Promise.resolve()
        .then(() => handOff(handed))
        .catch((e) => this.options.logger?.warning(`voicemail ${path} not handed over: ${e}`))
      return
    }
    const { default: SealRecording } = await import('#actions/recordings/seal_recording')
    await new SealRecording()
      .handle(session.call.id, this.options.recordingDir, recording.id)
      .catch((e) => this.options.logger?.error(`voicemail ${path} not encrypted: ${e}`))
  }

  // --- transfers ---------------------------------------------------------------------------------

  /** Rings one named agent (a transfer to them, a route to them); voicemail if they cannot answer. */
  async #offerDirect(session: CallSession, agentId: number) {
    const device = await AgentDevice.findBy('user_id', agentId)
    session.direct = { agentId }
    await this.#startMoh(session)
    const offered = device ? await this.#offer(session, 20, agentId, device.endpoint) : false
    if (!offered && session.direct) {
      session.direct = null
      await callRecorder.event(session.call, 'ring_no_answer', {
        agentId,
        cause: device ? 'agent_unavailable' : 'no_device',
      })
      await this.#startVoicemail(session, { queueId: null, agentId }, 'agent_unavailable')
    }
  }

  async #dialExternal(session: CallSession, number: string) {
    const trunk = this.options.outboundTrunk
    if (!trunk || !EXTERNAL_NUMBER.test(number)) {
      await callRecorder.event(session.call, 'transfer_failed', {
        number,
        cause: trunk ? 'invalid_number' : 'no_trunk',
      })
      return this.#playThenHangup(session, ['sound:sorry', 'sound:vm-goodbye'], 'transfer_failed')
    }
    const channelId = randomUUID()
    const endpoint = `PJSIP/${number}@${trunk}`
    session.external = { channelId, number, answered: false }
    this.#byChannel.set(channelId, session.call.uuid)
    await callRecorder.leg(session.call, channelId, 'external', endpoint, null)
    await callRecorder.state(session.call, 'ringing', { agentId: null })
    await this.#startMoh(session)
    try {
      await this.ari.client.request('POST', '/channels', {
        query: {
          endpoint,
          app: this.ari.config.app,
          appArgs: `external,${session.call.uuid}`,
          channelId,
          callerId: session.call.callerNumber ?? '',
          timeout: 30,
        },
      })
    } catch (error) {
      this.options.logger?.warning(`dial ${endpoint} failed: ${(error as Error).message}`)
      this.#byChannel.delete(channelId)
      await this.#externalFailed(session, 'originate_failed')
    }
  }

  async #onExternalAnswered(session: CallSession, channel: AriChannel) {
    if (session.external?.channelId !== channel.id || session.ended) {
      await this.ari.client.hangup(channel.id).catch(() => {})
      return
    }
    session.external.answered = true
    await callRecorder.legAnswered(channel.id)
    const bridge = await this.ari.client.createBridge({
      type: 'mixing',
      name: `call-${session.call.uuid}-ext`,
    })
    session.bridgeId = bridge.id
    await this.#stopMoh(session)
    await this.ari.client.addChannel(bridge.id, [session.customerChannelId, channel.id])
    await callRecorder.state(session.call, 'bridged', {
      answeredAt: session.call.answeredAt ?? DateTime.utc(),
    })
    await callRecorder.event(session.call, 'external_answered', {
      number: session.external.number,
    })
  }

  async #externalFailed(session: CallSession, cause: string) {
    const external = session.external
    if (!external) return
    session.external = null
    this.#byChannel.delete(external.channelId)
    await callRecorder.legEnded(external.channelId, cause)
    await callRecorder.event(session.call, 'transfer_failed', { number: external.number, cause })
    if (!session.ended)
      await this.#playThenHangup(
        session,
        ['sound:number-not-answering', 'sound:vm-goodbye'],
        'transfer_failed'
      )
  }

  /**
   * Blind transfer of a bridged call: the agent's leg ends (their recording is finished and
   * sealed, they go to wrap-up) and the caller goes to a queue, to another agent or out through
   * the trunk — without ever being without a state.
   */
  async transfer(callUuid: string, target: TransferTarget, by: number | null) {
    const session = this.#sessions.get(callUuid)
    if (!session) throw new Error('call_not_live')
    let result = ''
    await this.#locked(session, async () => {
      result = await this.#blindTransfer(session, target, by)
    })
    return result
  }

  async #blindTransfer(session: CallSession, target: TransferTarget, by: number | null) {
    const offer = session.offer
    if (session.ended || !offer?.answered || !session.bridgeId) throw new Error('not_bridged')
    if (target.type === 'queue' && !(target.queueId && (await this.#config.queue(target.queueId))))
      throw new Error('unknown_queue')
    if (target.type === 'agent') {
      if (!target.agentId || !(await AgentDevice.findBy('user_id', target.agentId)))
        throw new Error('unknown_agent')
      if (target.agentId === offer.agentId) throw new Error('same_agent')
    }
    if (target.type === 'external') {
      if (!EXTERNAL_NUMBER.test(target.number ?? '')) throw new Error('invalid_number')
      if (!this.options.outboundTrunk) throw new Error('no_trunk')
    }
    await callRecorder.event(session.call, 'transferred', {
      fromAgentId: offer.agentId,
      to: target.type,
      queueId: target.queueId ?? null,
      agentId: target.agentId ?? null,
      number: target.number ?? null,
      by,
    })
    await callRecorder.state(session.call, session.call.state, { transferred: true })
    if (session.held) await this.#endHold(session)
    // The agent leaves: their leg and recording end, they wrap up.
    session.offer = null
    this.#byChannel.delete(offer.channelId)
    await callRecorder.legEnded(offer.channelId, 'transferred')
    const bridgeId = session.bridgeId
    session.bridgeId = null
    await this.ari.client.removeChannel(bridgeId, session.customerChannelId).catch(() => {})
    await this.ari.client.hangup(offer.channelId).catch(() => {})
    await this.ari.client.destroyBridge(bridgeId).catch(() => {})
    await this.#finishRecording(session, session.recordingName)
    this.#background('wrap-up', this.#wrapUp(offer.agentId, session.call.queueId))
    if (target.type === 'queue') {
      // Transferred callers are not sent to the back: their place is their arrival at the branch.
      await this.#enterQueue(session, target.queueId!, {}, session.call.startedAt.toMillis())
    } else if (target.type === 'agent') {
      await callRecorder.state(session.call, 'ringing', { agentId: null })
      await this.#offerDirect(session, target.agentId!)
    } else {
      await this.#dialExternal(session, target.number!)
    }
    return 'transferred'
  }

  // --- hold --------------------------------------------------------------------------------------

  /** The agent's phone put the call on hold: the caller hears music (Asterisk plays it). */
  async #onPhoneHold(session: CallSession, channelId: string, hold: boolean) {
    if (!session.offer?.answered || session.offer.channelId !== channelId) return
    if (hold && !session.held) {
      session.held = { since: Date.now(), by: 'phone' }
      await callRecorder.event(session.call, 'hold', { by: 'phone' })
    } else if (!hold && session.held?.by === 'phone') {
      await this.#endHold(session)
    }
  }

  /** Hold from the web: the caller leaves the bridge for music; unhold brings them back. */
  async #hold(session: CallSession, hold: boolean) {
    if (!session.offer?.answered || !session.bridgeId) throw new Error('not_bridged')
    if (hold) {
      if (session.held) return 'already_on_hold'
      await this.ari.client.removeChannel(session.bridgeId, session.customerChannelId)
      await this.#startMoh(session)
      session.held = { since: Date.now(), by: 'web' }
      await callRecorder.event(session.call, 'hold', { by: 'web' })
      return 'held'
    }
    if (!session.held) return 'not_on_hold'
    await this.#endHold(session)
    return 'resumed'
  }

  async #endHold(session: CallSession) {
    const held = session.held
    if (!held) return
    session.held = null
    if (held.by === 'web') {
      await this.#stopMoh(session)
      if (session.bridgeId && !session.ended)
        await this.ari.client
          .addChannel(session.bridgeId, [session.customerChannelId])
          .catch(() => {})
    }
    const seconds = Math.round((Date.now() - held.since) / 1000)
    await callRecorder.state(session.call, session.call.state, {
      holdSeconds: session.call.holdSeconds + seconds,
    })
    await callRecorder.event(session.call, 'unhold', { by: held.by, seconds })
  }

  // --- commands from the web ---------------------------------------------------------------------

  /** In-call commands written by the web process (durable; no Redis needed). */
  async #pollCommands() {
    if (this.#pollingCommands) return
    this.#pollingCommands = true
    try {
      const pending = await db
        .from('call_commands')
        .where('status', 'pending')
        .orderBy('id')
        .limit(20)
      for (const row of pending) {
        // Claim it first: the web withdraws a command only while it is still pending.
        const claimed = await db
          .from('call_commands')
          .where('id', row.id)
          .where('status', 'pending')
          .update({ status: 'running' })
        if (affectedRows(claimed) === 0) continue
        const session = this.#sessions.get(row.call_uuid)
        let status = 'done'
        let result = ''
        if (!session) {
          status = 'failed'
          result = 'call_not_live'
        } else {
          const payload = typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload
          await this.#locked(session, async () => {
            try {
              result = await this.#runCommand(session, row.kind, payload, row.requested_by)
            } catch (error) {
              status = 'failed'
              result = (error as Error).message
            }
          })
        }
        await db
          .from('call_commands')
          .where('id', row.id)
          .where('status', 'running')
          .update({ status, result, handled_at: sqlTime(DateTime.utc()) })
      }
    } catch (error) {
      this.options.logger?.error(`call commands: ${(error as Error).message}`)
    } finally {
      this.#pollingCommands = false
    }
  }

  async #runCommand(
    session: CallSession,
    kind: string,
    payload: Record<string, unknown>,
    by: number | null
  ): Promise<string> {
    switch (kind) {
      case 'transfer':
        return this.#blindTransfer(session, payload as unknown as TransferTarget, by)
      case 'hold':
        return this.#hold(session, true)
      case 'unhold':
        return this.#hold(session, false)
      default:
        throw new Error('unknown_command')
    }
  }
}
