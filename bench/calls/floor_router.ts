import http from 'node:http'
import { randomUUID } from 'node:crypto'
import WebSocket from 'ws'

/*
| The "ARI floor" of bench:calls: the least any ARI application can do for the bench's call flow,
| to tell what ARI itself costs on this machine from what Ringdesk adds. No database, no IVR
| engine, no records: the menu's prompt is played, the first digit stops it and rings the agent
| idle longest (kept in memory), the agent's answer passes once through [ringdesk-record]
| (MixMonitor, as Ringdesk's does) and both are bridged; when either hangs up the other is hung up.
| It makes the same requests on the path from the key press to the ring as Ringdesk does (one
| originate, the prompt's stop not awaited), over the same kind of kept-alive HTTP connection.
|
| Run by bench/calls/runs.ts as its own process (plain Node, types stripped):
|   ARI_URL=http://127.0.0.1:8288 ARI_USERNAME=… ARI_PASSWORD=… ARI_APP=ringdesk \
|   AGENTS=bench-001,bench-002 PROMPT=sound:hello-world node bench/calls/floor_router.ts
| It prints "floor router ready" once its WebSocket is up.
*/

const base = new URL(process.env.ARI_URL ?? 'http://127.0.0.1:8288')
const app = process.env.ARI_APP ?? 'ringdesk'
const auth = `${process.env.ARI_USERNAME}:${process.env.ARI_PASSWORD}`
const prompt = process.env.PROMPT ?? 'sound:hello-world'
const agent = new http.Agent({ keepAlive: true })
/** Free agents' endpoints, the one idle longest first. */
const free = (process.env.AGENTS ?? '').split(',').filter(Boolean)

interface Call {
  customer: string
  callerNumber: string
  playback: string | null
  agentChannel: string | null
  endpoint: string | null
  bridge: string | null
  ended: boolean
}
const calls = new Map<string, Call>()
/** Any channel of a call → the call. */
const byChannel = new Map<string, Call>()
/** Agent channels sent through [ringdesk-record]: their StasisEnd is not a hang-up. */
const leaving = new Set<string>()

function ari(
  method: string,
  path: string,
  query: Record<string, string | number> = {},
  body?: unknown
) {
  const url = new URL(`/ari${path}`, base)
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, String(value))
  const payload = body === undefined ? undefined : JSON.stringify(body)
  return new Promise<unknown>((resolve, reject) => {
    const request = http.request(url, {
      method,
      agent,
      headers: {
        authorization: `Basic ${Buffer.from(auth).toString('base64')}`,
        ...(payload
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
          : {}),
      },
    })
    request.on('response', (response) => {
      let text = ''
      response.on('data', (chunk) => (text += chunk))
      response.on('end', () => {
        if ((response.statusCode ?? 500) >= 300)
          reject(new Error(`${method} ${path}: ${response.statusCode} ${text}`))
        else resolve(text ? JSON.parse(text) : undefined)
      })
    })
    request.on('error', reject)
    request.end(payload)
  })
}

function quietly(promise: Promise<unknown>) {
  promise.catch(() => {})
}

function end(call: Call) {
  if (call.ended) return
  call.ended = true
  quietly(ari('DELETE', `/channels/${call.customer}`))
  if (call.agentChannel) quietly(ari('DELETE', `/channels/${call.agentChannel}`))
  if (call.bridge) quietly(ari('DELETE', `/bridges/${call.bridge}`))
}

function onStasisStart(channel: { id: string; caller: { number: string } }, args: string[]) {
  const [kind, callId] = args
  if (kind === 'inbound') {
    // The dial plan has answered; the menu's prompt plays until the key press.
    const call: Call = {
      customer: channel.id,
      callerNumber: channel.caller.number,
      playback: randomUUID(),
      agentChannel: null,
      endpoint: null,
      bridge: null,
      ended: false,
    }
    calls.set(channel.id, call)
    byChannel.set(channel.id, call)
    quietly(ari('POST', `/channels/${channel.id}/play/${call.playback}`, { media: prompt }))
    return
  }
  const call = calls.get(callId)
  if (!call || call.ended) {
    quietly(ari('DELETE', `/channels/${channel.id}`))
    return
  }
  if (kind === 'agent') {
    // Answered: once through MixMonitor, as Ringdesk records.
    leaving.add(channel.id)
    quietly(
      ari('POST', `/channels/${channel.id}/continue`, {
        context: 'ringdesk-record',
        extension: 's',
        priority: 1,
      })
    )
    return
  }
  if (kind === 'agent-recorded') {
    const bridge = randomUUID()
    call.bridge = bridge
    void (async () => {
      await ari('POST', `/bridges/${bridge}`, { type: 'mixing,proxy_media' })
      await ari('DELETE', `/channels/${call.customer}/moh`).catch(() => {})
      await ari('POST', `/bridges/${bridge}/addChannel`, {
        channel: `${call.customer},${channel.id}`,
      })
    })().catch(() => end(call))
  }
}

function onDigit(channelId: string) {
  const call = calls.get(channelId)
  if (!call || call.ended || call.agentChannel) return
  if (call.playback) quietly(ari('DELETE', `/playbacks/${call.playback}`))
  call.playback = null
  const endpoint = free.shift()
  if (!endpoint) {
    end(call)
    return
  }
  const agentChannel = randomUUID()
  call.agentChannel = agentChannel
  call.endpoint = endpoint
  byChannel.set(agentChannel, call)
  ari(
    'POST',
    '/channels',
    {
      endpoint: `PJSIP/${endpoint}`,
      app,
      appArgs: `agent,${call.customer}`,
      channelId: agentChannel,
      callerId: call.callerNumber,
      timeout: 30,
    },
    { variables: { RINGDESK_RECORDING: `floor-${agentChannel}.wav`, RINGDESK_CALL: call.customer } }
  )
    .then(() => ari('POST', `/channels/${call.customer}/moh`, { mohClass: 'default' }))
    .catch(() => end(call))
}

function onChannelGone(channelId: string) {
  const call = byChannel.get(channelId)
  if (!call) return
  byChannel.delete(channelId)
  if (channelId === call.agentChannel && call.endpoint) {
    // Idle again from now: to the back of the line.
    free.push(call.endpoint)
    call.endpoint = null
  }
  if (channelId === call.customer) calls.delete(channelId)
  end(call)
}

const events = new URL('/ari/events', base)
events.protocol = 'ws:'
events.searchParams.set('app', app)
events.searchParams.set('api_key', auth)
const socket = new WebSocket(events)
socket.on('open', () => {
  // Only the events it handles, as Ringdesk asks for its own.
  const allowed = ['StasisStart', 'StasisEnd', 'ChannelDestroyed', 'ChannelDtmfReceived']
  ari('PUT', `/applications/${app}/eventFilter`, {}, { allowed: allowed.map((type) => ({ type })) })
    .then(() => console.log('floor router ready'))
    .catch((error) => {
      console.error(error)
      process.exit(1)
    })
})
socket.on('message', (data) => {
  const event = JSON.parse(data.toString())
  switch (event.type) {
    case 'StasisStart':
      return onStasisStart(event.channel, event.args)
    case 'ChannelDtmfReceived':
      return onDigit(event.channel.id)
    case 'StasisEnd':
      if (leaving.delete(event.channel.id)) return
      return onChannelGone(event.channel.id)
    case 'ChannelDestroyed':
      return onChannelGone(event.channel.id)
  }
})
socket.on('close', () => process.exit(0))
process.on('SIGTERM', () => socket.close())
