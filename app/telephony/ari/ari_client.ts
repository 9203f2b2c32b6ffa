/*
| ARI's REST half. Thin on purpose: one method per ARI call we use, typed results, and errors that
| carry the HTTP status. No call state, so one instance serves every call.
|
| Over node:http with kept-alive connections rather than fetch: a call makes about 13 requests,
| and fetch cost about five times the CPU per request and far more garbage (WHATWG streams,
| an AbortSignal and its timer per request). Each request's timer is cleared once it is done.
*/

import http from 'node:http'
import https from 'node:https'
import { AriHttpError, AriTransportError } from './errors.js'
import type {
  AriApplication,
  AriAsteriskInfo,
  AriBridge,
  AriChannel,
  AriHangupReason,
  AriLiveRecording,
  AriPlayback,
} from './types.js'

export interface AriClientOptions {
  /** Base URL of Asterisk's HTTP server, e.g. http://127.0.0.1:8088 (a trailing /ari is fine). */
  url: string
  username: string
  password: string
  /** Per-request timeout; ARI answers loopback calls in milliseconds, so a slow one is a fault. */
  timeoutMs?: number
}

export type AriQueryValue = string | number | boolean | string[] | undefined

export interface AriRequestOptions {
  query?: Record<string, AriQueryValue>
  body?: unknown
  timeoutMs?: number
}

export interface PlayOptions {
  /** Our own id for the playback, so its events can be matched before the POST returns. */
  playbackId?: string
  lang?: string
  offsetms?: number
  skipms?: number
}

export interface ContinueOptions {
  context?: string
  extension?: string
  priority?: number
  label?: string
}

export interface CreateBridgeOptions {
  /** Comma-separated ARI bridge types; `mixing` is a call, `holding` a waiting room. */
  type?: string
  bridgeId?: string
  name?: string
}

export interface AddChannelOptions {
  role?: string
  absorbDTMF?: boolean
  mute?: boolean
  inhibitConnectedLineUpdates?: boolean
}

export interface RecordOptions {
  /** File name without extension, relative to Asterisk's recording directory. */
  name: string
  format?: string
  maxDurationSeconds?: number
  maxSilenceSeconds?: number
  ifExists?: 'fail' | 'overwrite' | 'append'
  beep?: boolean
  terminateOn?: 'none' | 'any' | '*' | '#'
}

const DEFAULT_TIMEOUT_MS = 10_000
/** Idle kept-alive connections are closed after this (Asterisk's own idle limit is 15 s). */
const IDLE_SOCKET_MS = 5_000

interface RawResponse {
  status: number
  text: string
}

export default class AriClient {
  readonly baseUrl: string
  readonly #authorization: string
  readonly #timeoutMs: number
  readonly #transport: typeof http | typeof https
  readonly #agent: http.Agent

  constructor(options: AriClientOptions) {
    this.baseUrl = normalizeAriBaseUrl(options.url)
    this.#authorization =
      'Basic ' + Buffer.from(`${options.username}:${options.password}`).toString('base64')
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    const secure = new URL(this.baseUrl).protocol === 'https:'
    this.#transport = secure ? https : http
    // Idle sockets are unreferenced by the agent: they never keep a stopping process alive.
    const agentOptions = { keepAlive: true, timeout: IDLE_SOCKET_MS }
    this.#agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions)
  }

  /** Closes the kept-alive connections (requests still running fail). */
  close() {
    this.#agent.destroy()
  }

  /**
   * Any ARI call: `path` is below /ari (e.g. `/channels/abc/answer`). Resolves with the parsed JSON
   * body, or undefined for 204. Throws AriHttpError for non-2xx and AriTransportError when
   * Asterisk could not be reached in time.
   */
  async request<T = unknown>(
    method: string,
    path: string,
    options: AriRequestOptions = {}
  ): Promise<T> {
    const url = new URL(`${this.baseUrl}/ari${path}`)
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value === undefined) continue
      url.searchParams.set(key, Array.isArray(value) ? value.join(',') : String(value))
    }

    const headers: Record<string, string | number> = {
      authorization: this.#authorization,
      accept: 'application/json',
    }
    let body: string | undefined
    if (options.body !== undefined) {
      body = JSON.stringify(options.body)
      headers['content-type'] = 'application/json'
      headers['content-length'] = Buffer.byteLength(body)
    }

    const timeoutMs = options.timeoutMs ?? this.#timeoutMs
    let response: RawResponse
    try {
      response = await this.#send(method, url, headers, body, timeoutMs)
    } catch (error) {
      throw new AriTransportError(method, path, error)
    }

    const parsed = parseBody(response.text)
    if (response.status < 200 || response.status > 299) {
      throw new AriHttpError(method, path, response.status, parsed)
    }
    return parsed as T
  }

  /**
   * One exchange. A kept-alive connection that Asterisk closed while it was idle fails before any
   * answer (ECONNRESET on a reused socket): the request never reached Asterisk, so it is sent
   * once more on a new connection.
   */
  #send(
    method: string,
    url: URL,
    headers: Record<string, string | number>,
    body: string | undefined,
    timeoutMs: number,
    retried = false
  ): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const request = this.#transport.request(url, { method, headers, agent: this.#agent })
      const timer = setTimeout(
        () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)),
        timeoutMs
      )
      let answered = false
      request.once('response', (response) => {
        answered = true
        let text = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => (text += chunk))
        response.once('end', () => {
          clearTimeout(timer)
          resolve({ status: response.statusCode ?? 0, text })
        })
        // After 'end' these change nothing: a promise settles once.
        response.once('error', (error) => {
          clearTimeout(timer)
          reject(error)
        })
        response.once('close', () => {
          clearTimeout(timer)
          reject(new Error('the connection closed before the whole answer arrived'))
        })
      })
      request.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer)
        if (!answered && !retried && request.reusedSocket && error.code === 'ECONNRESET') {
          resolve(this.#send(method, url, headers, body, timeoutMs, true))
          return
        }
        reject(error)
      })
      request.end(body)
    })
  }

  asteriskInfo(): Promise<AriAsteriskInfo> {
    return this.request('GET', '/asterisk/info')
  }

  getApplication(name: string): Promise<AriApplication> {
    return this.request('GET', `/applications/${encodeURIComponent(name)}`)
  }

  /**
   * Only these event types reach the application's WebSocket. Asterisk sends a channel's every
   * variable change, dial-plan step and state change otherwise: about 50 events per inbound
   * call, of which a router handles a dozen.
   */
  async setEventFilter(app: string, allowed: string[]): Promise<void> {
    await this.request('PUT', `/applications/${encodeURIComponent(app)}/eventFilter`, {
      body: { allowed: allowed.map((type) => ({ type })) },
    })
  }

  listChannels(): Promise<AriChannel[]> {
    return this.request('GET', '/channels')
  }

  getChannel(channelId: string): Promise<AriChannel> {
    return this.request('GET', `/channels/${encodeURIComponent(channelId)}`)
  }

  async answer(channelId: string): Promise<void> {
    await this.request('POST', `/channels/${encodeURIComponent(channelId)}/answer`)
  }

  async hangup(channelId: string, reason: AriHangupReason = 'normal'): Promise<void> {
    await this.request('DELETE', `/channels/${encodeURIComponent(channelId)}`, {
      query: { reason },
    })
  }

  /** `media` as ARI URIs: `sound:hello-world`, `recording:name`, `tone:ring`, `digits:123`. */
  play(
    channelId: string,
    media: string | string[],
    options: PlayOptions = {}
  ): Promise<AriPlayback> {
    const id = encodeURIComponent(channelId)
    const query = { media, lang: options.lang, offsetms: options.offsetms, skipms: options.skipms }
    if (options.playbackId) {
      return this.request(
        'POST',
        `/channels/${id}/play/${encodeURIComponent(options.playbackId)}`,
        {
          query,
        }
      )
    }
    return this.request('POST', `/channels/${id}/play`, { query })
  }

  async stopPlayback(playbackId: string): Promise<void> {
    await this.request('DELETE', `/playbacks/${encodeURIComponent(playbackId)}`)
  }

  /** Leaves Stasis and goes on in the dial plan (where it left off unless told otherwise). */
  async continueInDialplan(channelId: string, options: ContinueOptions = {}): Promise<void> {
    await this.request('POST', `/channels/${encodeURIComponent(channelId)}/continue`, {
      query: { ...options },
    })
  }

  listBridges(): Promise<AriBridge[]> {
    return this.request('GET', '/bridges')
  }

  createBridge(options: CreateBridgeOptions = {}): Promise<AriBridge> {
    const query = { type: options.type ?? 'mixing', name: options.name }
    if (options.bridgeId) {
      return this.request('POST', `/bridges/${encodeURIComponent(options.bridgeId)}`, { query })
    }
    return this.request('POST', '/bridges', { query })
  }

  async destroyBridge(bridgeId: string): Promise<void> {
    await this.request('DELETE', `/bridges/${encodeURIComponent(bridgeId)}`)
  }

  async addChannel(
    bridgeId: string,
    channelIds: string | string[],
    options: AddChannelOptions = {}
  ): Promise<void> {
    await this.request('POST', `/bridges/${encodeURIComponent(bridgeId)}/addChannel`, {
      query: { channel: channelIds, ...options },
    })
  }

  async removeChannel(bridgeId: string, channelIds: string | string[]): Promise<void> {
    await this.request('POST', `/bridges/${encodeURIComponent(bridgeId)}/removeChannel`, {
      query: { channel: channelIds },
    })
  }

  /** Records what the channel hears and says into `name`.`format` under the recording directory. */
  record(channelId: string, options: RecordOptions): Promise<AriLiveRecording> {
    return this.request('POST', `/channels/${encodeURIComponent(channelId)}/record`, {
      query: {
        name: options.name,
        format: options.format ?? 'wav',
        maxDurationSeconds: options.maxDurationSeconds,
        maxSilenceSeconds: options.maxSilenceSeconds,
        ifExists: options.ifExists ?? 'fail',
        beep: options.beep,
        terminateOn: options.terminateOn,
      },
    })
  }

  async stopRecording(name: string): Promise<void> {
    await this.request('POST', `/recordings/live/${encodeURIComponent(name)}/stop`)
  }
}

/** `http://host:8088/`, `http://host:8088/ari` and `http://host:8088` all mean the same server. */
export function normalizeAriBaseUrl(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/ari$/, '')
}

function parseBody(text: string): unknown {
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
