/*
| ARI's event half: one WebSocket to /ari/events registering our Stasis application.
|
| - It reconnects forever (capped exponential backoff with jitter): Asterisk restarts, the worker
|   must not. Every (re)connect emits 'connected' so the caller can reconcile what it missed.
| - A ping heartbeat finds a silently dead socket (no FIN after a network drop) and replaces it.
| - Events are dispatched in order per channel (or bridge): a channel's async handler finishes
|   before that channel's next event runs, while other channels go on in parallel. Without this a
|   StasisEnd could overtake the StasisStart handler still answering the same channel.
*/

import { EventEmitter } from 'node:events'
import WebSocket from 'ws'
import { normalizeAriBaseUrl } from './ari_client.js'
import type { AriEvent, AriEventOf, KnownAriEventType } from './types.js'

export type AriConnectionState = 'connected' | 'connecting' | 'disconnected'

export interface AriEventsOptions {
  /** Base URL of Asterisk's HTTP server, e.g. http://127.0.0.1:8088. */
  url: string
  username: string
  password: string
  /** The Stasis application to register, as named in the dial plan's Stasis(). */
  app: string
  /** Also receive events of channels not in our application; off, it is noise for a router. */
  subscribeAll?: boolean
  reconnectInitialDelayMs?: number
  reconnectMaxDelayMs?: number
  pingIntervalMs?: number
  pongTimeoutMs?: number
  handshakeTimeoutMs?: number
}

export type AriEventHandler<E> = (event: E) => void | Promise<void>

/** Lifecycle notifications, separate from ARI events (which go through onEvent/onAnyEvent). */
export interface AriEventsLifecycle {
  /** After every successful (re)connect: reconcile state that may have changed meanwhile. */
  connected: []
  /** An established connection was lost; reconnecting follows unless stop() was called. */
  disconnected: [error: Error | undefined]
  stateChange: [state: AriConnectionState]
  /** A handler threw, or Asterisk sent something that is not an event. */
  handlerError: [error: unknown, event: AriEvent | undefined]
}

const DEFAULTS = {
  reconnectInitialDelayMs: 250,
  reconnectMaxDelayMs: 10_000,
  pingIntervalMs: 10_000,
  pongTimeoutMs: 5_000,
  handshakeTimeoutMs: 5_000,
}

export default class AriEvents extends EventEmitter<AriEventsLifecycle> {
  readonly #options: AriEventsOptions & typeof DEFAULTS
  readonly #handlers = new Map<string, Set<AriEventHandler<never>>>()
  readonly #anyHandlers = new Set<AriEventHandler<AriEvent>>()
  readonly #queues = new Map<string, Promise<void>>()

  #socket: WebSocket | undefined
  #state: AriConnectionState = 'disconnected'
  #lastError: Error | undefined
  #connectedAt: Date | undefined
  /** Why the current socket is failing, if known; becomes lastError when it closes. */
  #failure: Error | undefined
  #running = false
  #failedAttempts = 0
  #reconnectTimer: NodeJS.Timeout | undefined
  #pingTimer: NodeJS.Timeout | undefined
  #pongTimer: NodeJS.Timeout | undefined

  constructor(options: AriEventsOptions) {
    super()
    this.#options = { ...DEFAULTS, ...stripUndefined(options) }
  }

  get state(): AriConnectionState {
    return this.#state
  }

  /** The last connection failure, kept after a reconnect for health pages. */
  get lastError(): Error | undefined {
    return this.#lastError
  }

  get connectedAt(): Date | undefined {
    return this.#state === 'connected' ? this.#connectedAt : undefined
  }

  /** Starts connecting (and reconnecting). Resolves at once; listen for 'connected'. */
  start(): void {
    if (this.#running) return
    this.#running = true
    this.#failedAttempts = 0
    this.#connect()
  }

  /** Closes the socket for good and stops reconnecting. Handlers already queued still run. */
  async stop(): Promise<void> {
    this.#running = false
    clearTimeout(this.#reconnectTimer)
    this.#stopHeartbeat()
    const socket = this.#socket
    if (socket) {
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => socket.terminate(), 2_000)
        socket.once('close', () => {
          clearTimeout(force)
          resolve()
        })
        socket.close(1000, 'client stopping')
      })
    }
    this.#setState('disconnected')
  }

  /** Resolves once `connected` is reached (at once if it is), rejects after timeoutMs. */
  waitForConnected(timeoutMs = 10_000): Promise<void> {
    if (this.#state === 'connected') return Promise.resolve()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('connected', onConnected)
        const reason = this.#lastError ? `: ${this.#lastError.message}` : ''
        reject(new Error(`ARI events not connected within ${timeoutMs} ms${reason}`))
      }, timeoutMs)
      const onConnected = () => {
        clearTimeout(timer)
        resolve()
      }
      this.once('connected', onConnected)
    })
  }

  /**
   * The event types some handler takes, or null when a handler takes every event: what
   * Asterisk needs to send this application (see AriClient.setEventFilter).
   */
  handledTypes(): string[] | null {
    if (this.#anyHandlers.size > 0) return null
    return [...this.#handlers].filter(([, handlers]) => handlers.size > 0).map(([type]) => type)
  }

  /** Handles one event type; returns a function that removes the handler. */
  onEvent<T extends KnownAriEventType>(type: T, handler: AriEventHandler<AriEventOf<T>>): () => void
  onEvent(type: string, handler: AriEventHandler<AriEvent>): () => void
  onEvent(type: string, handler: AriEventHandler<never>): () => void {
    let handlers = this.#handlers.get(type)
    if (!handlers) {
      handlers = new Set()
      this.#handlers.set(type, handlers)
    }
    handlers.add(handler)
    return () => {
      handlers.delete(handler)
    }
  }

  /** Handles every event, after the type's own handlers; returns a function that removes it. */
  onAnyEvent(handler: AriEventHandler<AriEvent>): () => void {
    this.#anyHandlers.add(handler)
    return () => {
      this.#anyHandlers.delete(handler)
    }
  }

  /** Resolves when every queued event has been handled (tests and graceful shutdown). */
  async idle(): Promise<void> {
    while (this.#queues.size > 0) {
      await Promise.all(this.#queues.values())
    }
  }

  /** Feeds an event as if it came from Asterisk: the same ordering applies (for tests). */
  dispatch(event: AriEvent): Promise<void> {
    const key = orderingKey(event)
    const previous = this.#queues.get(key) ?? Promise.resolve()
    const current = previous.then(() => this.#runHandlers(event))
    this.#queues.set(key, current)
    return current.then(() => {
      if (this.#queues.get(key) === current) this.#queues.delete(key)
    })
  }

  async #runHandlers(event: AriEvent): Promise<void> {
    const handlers = [...(this.#handlers.get(event.type) ?? []), ...this.#anyHandlers]
    for (const handler of handlers) {
      try {
        await (handler as AriEventHandler<AriEvent>)(event)
      } catch (error) {
        this.#reportHandlerError(error, event)
      }
    }
  }

  #reportHandlerError(error: unknown, event: AriEvent | undefined): void {
    // An emitter without listeners would drop it; a lost handler failure is a lost call.
    if (this.listenerCount('handlerError') === 0) {
      console.error('ARI event handler failed', event?.type, error)
      return
    }
    this.emit('handlerError', error, event)
  }

  #eventsUrl(): string {
    const url = new URL(`${normalizeAriBaseUrl(this.#options.url)}/ari/events`)
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
    url.searchParams.set('app', this.#options.app)
    url.searchParams.set('subscribeAll', String(this.#options.subscribeAll ?? false))
    return url.toString()
  }

  #connect(): void {
    this.#setState('connecting')
    this.#failure = undefined
    const credentials = `${this.#options.username}:${this.#options.password}`
    const socket = new WebSocket(this.#eventsUrl(), {
      headers: { authorization: 'Basic ' + Buffer.from(credentials).toString('base64') },
      handshakeTimeout: this.#options.handshakeTimeoutMs,
    })
    this.#socket = socket

    socket.on('open', () => {
      if (this.#socket !== socket) return
      this.#failedAttempts = 0
      this.#connectedAt = new Date()
      this.#setState('connected')
      this.#startHeartbeat(socket)
      this.emit('connected')
    })

    socket.on('message', (data, isBinary) => {
      if (this.#socket !== socket || isBinary) return
      let event: AriEvent
      try {
        event = JSON.parse(data.toString()) as AriEvent
      } catch (error) {
        this.#reportHandlerError(error, undefined)
        return
      }
      void this.dispatch(event)
    })

    socket.on('pong', () => clearTimeout(this.#pongTimer))

    // 'close' always follows; it decides what to do next.
    socket.on('error', (error) => {
      this.#failure = error
    })

    socket.on('close', (code) => {
      if (this.#socket !== socket) return
      this.#socket = undefined
      this.#stopHeartbeat()
      const wasConnected = this.#state === 'connected'
      if (this.#failure || code !== 1000) {
        this.#lastError = this.#failure ?? new Error(`ARI WebSocket closed (code ${code})`)
      }
      this.#setState('disconnected')
      if (wasConnected) this.emit('disconnected', this.#running ? this.#lastError : undefined)
      if (this.#running) this.#scheduleReconnect()
    })
  }

  #scheduleReconnect(): void {
    const { reconnectInitialDelayMs, reconnectMaxDelayMs } = this.#options
    const ceiling = Math.min(
      reconnectMaxDelayMs,
      reconnectInitialDelayMs * 2 ** this.#failedAttempts
    )
    // Half fixed, half random: spread out many workers yet never retry in a tight loop.
    const delay = ceiling / 2 + Math.random() * (ceiling / 2)
    this.#failedAttempts += 1
    this.#reconnectTimer = setTimeout(() => {
      if (this.#running) this.#connect()
    }, delay)
  }

  #startHeartbeat(socket: WebSocket): void {
    this.#stopHeartbeat()
    this.#pingTimer = setInterval(() => {
      clearTimeout(this.#pongTimer)
      this.#pongTimer = setTimeout(() => {
        this.#failure = new Error(`ARI WebSocket: no pong within ${this.#options.pongTimeoutMs} ms`)
        socket.terminate()
      }, this.#options.pongTimeoutMs)
      socket.ping()
    }, this.#options.pingIntervalMs)
  }

  #stopHeartbeat(): void {
    clearInterval(this.#pingTimer)
    clearTimeout(this.#pongTimer)
  }

  #setState(state: AriConnectionState): void {
    if (this.#state === state) return
    this.#state = state
    this.emit('stateChange', state)
  }
}

/**
 * Events of one channel share a queue; playback and recording events join their target's queue.
 * Events about no channel or bridge share one global queue.
 */
export function orderingKey(event: AriEvent): string {
  const record = event as Record<string, unknown>
  const channel = (record.channel ?? record.peer) as { id?: unknown } | undefined
  if (channel && typeof channel.id === 'string') return `channel:${channel.id}`
  const media = (record.playback ?? record.recording) as { target_uri?: unknown } | undefined
  if (media && typeof media.target_uri === 'string') return media.target_uri
  const bridge = record.bridge as { id?: unknown } | undefined
  if (bridge && typeof bridge.id === 'string') return `bridge:${bridge.id}`
  return ''
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}
