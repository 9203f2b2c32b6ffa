/*
| The ARI entry point: one config, the REST client and the event stream of our Stasis app.
| Pure TypeScript with no AdonisJS import, so the telephony worker, ace commands and tests can all
| build it from plain settings.
*/

import AriClient from './ari_client.js'
import AriEvents from './ari_events.js'
import type { AriEventsOptions } from './ari_events.js'

export interface AriConfig {
  /** Base URL of Asterisk's HTTP server, e.g. http://127.0.0.1:8088. */
  url: string
  username: string
  password: string
  /** Stasis application name, as in the dial plan's Stasis(); one per Ringdesk installation. */
  app: string
  /** Tuning of the WebSocket (heartbeat, backoff); the defaults suit production. */
  events?: Omit<AriEventsOptions, 'url' | 'username' | 'password' | 'app'>
  requestTimeoutMs?: number
}

export interface Ari {
  config: AriConfig
  client: AriClient
  events: AriEvents
}

/** Builds the pair without connecting: call `events.start()` once handlers are registered. */
export function createAri(config: AriConfig): Ari {
  const client = new AriClient({
    url: config.url,
    username: config.username,
    password: config.password,
    timeoutMs: config.requestTimeoutMs,
  })
  const events = new AriEvents({
    ...config.events,
    url: config.url,
    username: config.username,
    password: config.password,
    app: config.app,
  })
  return { config, client, events }
}

export { AriClient, AriEvents }
export { orderingKey } from './ari_events.js'
export { normalizeAriBaseUrl } from './ari_client.js'
export { AriError, AriHttpError, AriTransportError, isAriNotFound } from './errors.js'
export type * from './types.js'
export type {
  AriClientOptions,
  AriRequestOptions,
  PlayOptions,
  ContinueOptions,
  CreateBridgeOptions,
  AddChannelOptions,
  RecordOptions,
} from './ari_client.js'
export type {
  AriConnectionState,
  AriEventsOptions,
  AriEventHandler,
  AriEventsLifecycle,
} from './ari_events.js'
