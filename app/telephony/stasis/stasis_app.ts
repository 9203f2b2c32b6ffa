import { randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { Ari, AriChannel } from '#telephony/ari/index'
import { isAriNotFound } from '#telephony/ari/index'
import { IvrInterpreter } from '#telephony/ivr/interpreter'
import type { IvrAction, IvrState } from '#telephony/ivr/interpreter'
import type { IvrFlow } from '#telephony/ivr/types'
import { isOpen } from '#telephony/hours/calendar'
import { matchCallsToAgents } from '#telephony/acd/matching'
import type { AgentCandidate, QueuedCall, QueueStrategy } from '#telephony/acd/types'
import Call from '#models/call'
import CallEvent from '#models/call_event'
import Calendar from '#models/calendar'
import InboundRoute from '#models/inbound_route'
import IvrFlowModel from '#models/ivr_flow'
import Queue from '#models/queue'
import Recording from '#models/recording'
import agentStates from '#telephony/agents/agent_state_service'
import callRecorder from '#telephony/calls/call_recorder'
import DeviceProvisioner from '#telephony/provisioning/device_provisioner'
import FeatureCodes from '#telephony/agents/feature_codes'

export interface StasisAppOptions {
  /** Where Asterisk's MixMonitor files appear on this host (the instance's recording dir). */
  recordingDir: string
  logger?: { info(msg: string): void; warning(msg: string): void; error(msg: string): void }
  /** How often waiting callers are matched to agents freed elsewhere (web UI, other calls). */
  dispatchEveryMs?: number
}

interface Offer {
  channelId: string
  agentId: number
  endpoint: string
  answered: boolean
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
  queue: { queueId: number; enteredAt: number; priority: number; excluded: number[] } | null
  offer: Offer | null
  bridgeId: string | null
  recordingName: string | null
  ended: boolean
  /** Why the system hung up the caller, when it did. */
  systemCause: string | null
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
  #roundRobin = new Map<number, string | null>()
  #provisioner: DeviceProvisioner
  #featureCodes: FeatureCodes
  #leavingForDialplan = new Set<string>()
  #hangupCauses = new Map<string, string>()

  constructor(
    private ari: Ari,
    private options: StasisAppOptions
  ) {
    this.#provisioner = new DeviceProvisioner(ari.client)
    this.#featureCodes = new FeatureCodes(ari, { logger: options.logger })
  }

  get provisioner() {
    return this.#provisioner
  }

  start() {
    const { events } = this.ari
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
    events.on('connected', () => void this.#onConnected())
    this.#dispatchTimer = setInterval(
      () => void this.dispatchAll(),
      this.options.dispatchEveryMs ?? 1000
    )
  }

  stop() {
    if (this.#dispatchTimer) clearInterval(this.#dispatchTimer)
  }

  /** After every (re)connect: push agents' phones, then reconcile calls with what Asterisk has. */
  async #onConnected() {
    try {
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
      const bridges = await this.ari.client.listBridges()
      session.bridgeId = bridges.find((b) => b.channels.includes(customerChannelId))?.id ?? null
      session.offer = {
        channelId: agentLeg.channelId,
        agentId: call.agentId,
        endpoint: agentLeg.endpoint ?? '',
        answered: true,
      }
      this.#byChannel.set(agentLeg.channelId, call.uuid)
      const recording = await Recording.findBy('call_id', call.id)
      session.recordingName = recording?.storagePath ?? null
      await this.ari.client
        .request('POST', `/applications/${encodeURIComponent(this.ari.config.app)}/subscription`, {
          query: { eventSource: `channel:${customerChannelId},channel:${agentLeg.channelId}` },
        })
        .catch(() => {})
      this.options.logger?.info(`call ${call.uuid}: resumed bridged call after restart`)
      return
    }
    if (agentLeg) await this.ari.client.hangup(agentLeg.channelId).catch(() => {})
    if (call.agentId) await agentStates.set(call.agentId, 'available', { onlyFrom: ['ringing'] })
    await this.#locked(session, async () => {
      if (call.queueId) {
        const entered = await CallEvent.query()
          .where('call_id', call.id)
          .where('type', 'queue_entered')
          .orderBy('at', 'desc')
          .first()
        // Keep the caller's place: the original entry time orders the queue.
        await this.#enterQueue(session, call.queueId)
        if (entered && session.queue) session.queue.enteredAt = entered.at
      } else if (call.ivrFlowId) {
        await this.#startIvr(session, call.ivrFlowId)
      } else {
        await this.#hangupCustomer(session, 'lost_route_during_restart')
      }
    })
    this.options.logger?.info(`call ${call.uuid}: resumed (${call.state}) after restart`)
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
      offer: null,
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

  /** Events of one call (two channels) run one at a time, in arrival order. */
  #locked(session: CallSession, fn: () => Promise<void> | void) {
    const run = session.lock.then(fn).catch((error) => {
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
  }

  // --- inbound: route and IVR --------------------------------------------------------------------

  async #onInbound(channel: AriChannel, did: string) {
    const call = await callRecorder.open({
      channelId: channel.id,
      did,
      callerNumber: channel.caller?.number || null,
      callerName: channel.caller?.name || null,
    })
    const session = this.#newSession(call, channel.id)
    await this.#locked(session, async () => {
      await this.ari.client.answer(channel.id)
      await callRecorder.legAnswered(channel.id)
      const routes = await InboundRoute.query()
        .where('enabled', true)
        .orderBy('priority', 'desc')
        .orderBy('id')
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
      return this.#hangupCustomer(session, open ? 'unsupported_target' : 'closed')
    })
  }

  /** Whether the calendar is open right now; null when it no longer exists. */
  async #openNow(calendarId: number): Promise<boolean | null> {
    const calendar = await Calendar.find(calendarId)
    if (!calendar) return null
    return isOpen(calendar.toBusinessCalendar(), new Date(), calendar.timeZone)
  }

  async #startIvr(session: CallSession, flowId: number) {
    const flow = await IvrFlowModel.findOrFail(flowId)
    const definition: IvrFlow = {
      entryNodeId: flow.entryNode,
      nodes: flow.nodes as IvrFlow['nodes'],
    }
    const interpreter = new IvrInterpreter(definition, {
      uploadMedia: (id) => `recording:prompts/${id}`,
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
      case 'voicemail':
      case 'transfer':
        // Voicemail and transfers to external numbers are not wired to Asterisk yet.
        await callRecorder.event(
          session.call,
          action.type === 'voicemail' ? 'voicemail' : 'transferred',
          { pending: true }
        )
        return this.#hangupCustomer(session, `${action.type}_unavailable`)
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
      await this.ari.client.stopPlayback(id).catch(() => {})
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

  async #enterQueue(session: CallSession, queueId: number, collected: Record<string, string> = {}) {
    const queue = await Queue.findOrFail(queueId)
    const customer = session.call.customerId
      ? await db.from('customers').where('id', session.call.customerId).first()
      : session.call.callerNumber
        ? await db.from('customers').where('phone_number', session.call.callerNumber).first()
        : null
    const vip = customer?.tier === 'vip'
    session.queue = {
      queueId,
      enteredAt: Date.now(),
      priority: queue.priority + (vip ? 100 : 0),
      excluded: [],
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
    })
    await this.ari.client
      .request('POST', `/channels/${encodeURIComponent(session.customerChannelId)}/moh`, {
        query: { mohClass: queue.musicOnHold || 'default' },
      })
      .catch(() => {})
    void this.dispatch(queueId)
  }

  async dispatchAll() {
    const queueIds = new Set<number>()
    for (const s of this.#sessions.values())
      if (s.queue && !s.offer && !s.ended) queueIds.add(s.queue.queueId)
    for (const id of queueIds) await this.dispatch(id)
  }

  /** Matches waiting callers of a queue with free agents and rings them. */
  async dispatch(queueId: number) {
    const waiting = [...this.#sessions.values()].filter(
      (s) => s.queue?.queueId === queueId && !s.offer && !s.ended
    )
    if (waiting.length === 0) return
    const queue = await Queue.find(queueId)
    if (!queue) return
    const candidates = await this.#candidates(queue)
    const skill = queue.requiredSkillId
      ? await db.from('skills').where('id', queue.requiredSkillId).first()
      : null
    const requiredSkill: string | null = skill?.name ?? null
    const calls: QueuedCall[] = waiting.map((s) => ({
      callId: s.call.uuid,
      enteredAt: s.queue!.enteredAt,
      priority: s.queue!.priority,
      requiredSkill,
      minSkillLevel: requiredSkill ? queue.requiredSkillLevel : null,
      excludedAgentIds: s.queue!.excluded.map(String),
    }))
    const result = matchCallsToAgents(
      calls,
      candidates.list,
      { strategy: queue.strategy as QueueStrategy },
      Date.now(),
      this.#roundRobin.get(queueId) ?? null
    )
    this.#roundRobin.set(queueId, result.cursor)
    for (const { call, agent } of result.assignments) {
      const session = this.#sessions.get(call.callId)
      const endpoint = candidates.endpoints.get(agent.agentId)
      if (!session || !endpoint) continue
      await this.#locked(session, () =>
        this.#offer(session, queue, Number(agent.agentId), endpoint)
      )
    }
  }

  async #candidates(queue: Queue) {
    const rows = await db
      .from('queue_agents')
      .join('agent_devices', 'agent_devices.user_id', 'queue_agents.user_id')
      .leftJoin('agent_states', 'agent_states.user_id', 'queue_agents.user_id')
      .where('queue_agents.queue_id', queue.id)
      .select(
        'queue_agents.user_id',
        'agent_devices.endpoint',
        'agent_states.state',
        'agent_states.since'
      )
    const skills = await db
      .from('agent_skills')
      .join('skills', 'skills.id', 'agent_skills.skill_id')
      .whereIn(
        'agent_skills.user_id',
        rows.map((r) => r.user_id)
      )
      .select('agent_skills.user_id', 'skills.name', 'agent_skills.level')
    const today = DateTime.utc().startOf('day').toFormat(db.connection().dialect.dateTimeFormat)
    const counts = await db
      .from('calls')
      .whereIn(
        'agent_id',
        rows.map((r) => r.user_id)
      )
      .where('started_at', '>=', today)
      .groupBy('agent_id')
      .select('agent_id')
      .count('* as n')
    const endpoints = new Map<string, string>()
    const list: AgentCandidate[] = rows.map((r) => {
      const id = String(r.user_id)
      endpoints.set(id, r.endpoint)
      const since =
        r.since instanceof Date
          ? r.since.getTime()
          : r.since
            ? DateTime.fromSQL(String(r.since), { zone: 'utc' }).toMillis()
            : 0
      return {
        agentId: id,
        state: (r.state ?? 'offline') as AgentCandidate['state'],
        availableSince: since,
        lastOfferedAt: null,
        callsToday: Number(counts.find((c) => Number(c.agent_id) === Number(r.user_id))?.n ?? 0),
        skills: Object.fromEntries(
          skills
            .filter((s) => Number(s.user_id) === Number(r.user_id))
            .map((s) => [s.name, Number(s.level)])
        ),
      }
    })
    return { list, endpoints }
  }

  async #offer(session: CallSession, queue: Queue, agentId: number, endpoint: string) {
    if (session.ended || session.offer) return
    // Claim the agent atomically: only an available agent becomes ringing.
    if (!(await agentStates.set(agentId, 'ringing', { onlyFrom: ['available'] }))) return
    const channelId = randomUUID()
    session.offer = { channelId, agentId, endpoint, answered: false }
    this.#byChannel.set(channelId, session.call.uuid)
    await callRecorder.state(session.call, 'ringing', { agentId })
    await callRecorder.leg(session.call, channelId, 'agent', `PJSIP/${endpoint}`, agentId)
    await callRecorder.event(session.call, 'offered', { agentId, endpoint })
    try {
      await this.ari.client.request('POST', '/channels', {
        query: {
          endpoint: `PJSIP/${endpoint}`,
          app: this.ari.config.app,
          appArgs: `agent,${session.call.uuid}`,
          channelId,
          callerId: session.call.callerNumber ?? '',
          timeout: queue.ringTimeoutSeconds,
        },
      })
    } catch (error) {
      this.options.logger?.warning(`offer to ${endpoint} failed: ${(error as Error).message}`)
      await this.#offerFailed(session, 'originate_failed')
    }
  }

  async #offerFailed(session: CallSession, cause: string) {
    const offer = session.offer
    if (!offer) return
    session.offer = null
    await callRecorder.legEnded(offer.channelId, cause)
    await callRecorder.event(session.call, 'ring_no_answer', { agentId: offer.agentId, cause })
    // Not answering takes the agent out of rotation until they say they are back.
    await agentStates.set(offer.agentId, 'missed', { onlyFrom: ['ringing'], reason: cause })
    if (session.queue && !session.ended) {
      session.queue.excluded.push(offer.agentId)
      await callRecorder.state(session.call, 'queue', { agentId: null })
      void this.dispatch(session.queue.queueId)
    }
  }

  async #onAgentAnswered(session: CallSession, channel: AriChannel) {
    if (!session.offer || session.offer.channelId !== channel.id || session.ended) {
      await this.ari.client.hangup(channel.id).catch(() => {})
      return
    }
    session.offer.answered = true
    await callRecorder.legAnswered(channel.id)
    // Through the dial plan once, to start MixMonitor on the agent's channel, then back here.
    session.recordingName = `${session.call.uuid}.wav`
    await this.ari.client.request('POST', `/channels/${encodeURIComponent(channel.id)}/variable`, {
      query: { variable: 'RINGDESK_RECORDING', value: session.recordingName },
    })
    await this.ari.client.request('POST', `/channels/${encodeURIComponent(channel.id)}/variable`, {
      query: { variable: 'RINGDESK_CALL', value: session.call.uuid },
    })
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
    await this.ari.client
      .request('DELETE', `/channels/${encodeURIComponent(session.customerChannelId)}/moh`)
      .catch(() => {})
    await this.ari.client.addChannel(bridge.id, [session.customerChannelId, channel.id])
    const now = DateTime.utc()
    const wait = session.queue ? Math.round((Date.now() - session.queue.enteredAt) / 1000) : 0
    await agentStates.set(session.offer.agentId, 'on_call')
    await callRecorder.state(session.call, 'bridged', {
      answeredAt: now,
      waitSeconds: wait,
      agentId: session.offer.agentId,
    })
    await callRecorder.event(session.call, 'queue_left', {
      queueId: session.queue?.queueId,
      waitSeconds: wait,
    })
    await callRecorder.event(session.call, 'answered', {
      agentId: session.offer.agentId,
      waitSeconds: wait,
    })
    await callRecorder.event(session.call, 'recording_started', { file: session.recordingName })
    const servedBy = session.queue ? await Queue.find(session.queue.queueId) : null
    const retentionDays = servedBy?.recordingRetentionDays ?? 90
    await Recording.create({
      callId: session.call.id,
      storagePath: session.recordingName!,
      format: 'wav',
      bytes: 0,
      durationMs: 0,
      encrypted: false,
      retentionUntil: now.plus({ days: retentionDays }),
    })
    session.queue = null
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
    await callRecorder.legEnded(channelId, cause)
    if (session.ended) return this.#forget(session)
    session.ended = true
    if (session.digitTimer) clearTimeout(session.digitTimer)
    const customerLeft = channelId === session.customerChannelId
    const other = customerLeft ? session.offer?.channelId : session.customerChannelId
    if (other)
      await this.ari.client
        .hangup(other)
        .catch((e) => (isAriNotFound(e) ? null : Promise.reject(e)))

    if (session.call.state === 'queue' || (session.call.state === 'ringing' && customerLeft)) {
      const wait = session.queue ? Math.round((Date.now() - session.queue.enteredAt) / 1000) : 0
      await callRecorder.state(session.call, session.call.state, {
        abandoned: true,
        waitSeconds: wait,
      })
      await callRecorder.event(session.call, 'abandoned', {
        waitSeconds: wait,
        queueId: session.queue?.queueId,
      })
      if (session.offer)
        await agentStates.set(session.offer.agentId, 'available', { onlyFrom: ['ringing'] })
    }
    if (session.bridgeId) {
      await this.ari.client.request('DELETE', `/bridges/${session.bridgeId}`).catch(() => {})
      await this.#finishRecording(session)
      if (session.offer) void this.#wrapUp(session.offer.agentId, session.call.queueId)
    }
    await callRecorder.end(
      session.call,
      session.systemCause
        ? `system:${session.systemCause}`
        : customerLeft
          ? `customer:${cause}`
          : `agent:${cause}`
    )
    if (!other) this.#forget(session)
  }

  async #finishRecording(session: CallSession) {
    if (!session.recordingName) return
    const { stat } = await import('node:fs/promises')
    const path = `${this.options.recordingDir}/${session.recordingName}`
    // MixMonitor closes the file just after the channel goes; give it a moment.
    for (let i = 0; i < 20; i++) {
      const info = await stat(path).catch(() => null)
      if (info && info.size > 44) {
        const durationMs = Math.round(((info.size - 44) / 16000) * 1000)
        await Recording.query()
          .where('call_id', session.call.id)
          .update({ bytes: info.size, duration_ms: durationMs })
        await callRecorder.state(session.call, session.call.state, { hasRecording: true })
        await callRecorder.event(session.call, 'recording_finished', {
          file: session.recordingName,
          bytes: info.size,
          durationMs,
        })
        // Recording vault: encrypt at rest and delete the plaintext (#actions/recordings).
        const { default: SealRecording } = await import('#actions/recordings/seal_recording')
        await new SealRecording()
          .handle(session.call.id, this.options.recordingDir)
          .catch((e) => this.options.logger?.error(`recording ${path} not encrypted: ${e}`))
        return
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    this.options.logger?.warning(`recording ${path} not found after the call`)
  }

  async #wrapUp(agentId: number, queueId: number | null) {
    await agentStates.set(agentId, 'wrap_up', { onlyFrom: ['on_call'] })
    const queue = queueId ? await Queue.find(queueId) : null
    const seconds = queue?.wrapUpSeconds ?? 0
    setTimeout(() => {
      void agentStates
        .set(agentId, 'available', { onlyFrom: ['wrap_up'] })
        .then(() => this.dispatchAll())
    }, seconds * 1000)
  }

  async #hangupCustomer(session: CallSession, cause: string) {
    session.systemCause = cause
    await this.ari.client.hangup(session.customerChannelId).catch(() => {})
  }

  #forget(session: CallSession) {
    this.#sessions.delete(session.call.uuid)
  }
}
