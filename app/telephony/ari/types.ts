/*
| The shapes of ARI (Asterisk 22) that Ringdesk uses, as Asterisk sends them: snake_case fields,
| ISO timestamps as strings. Only what we read is typed; Asterisk may send more.
*/

export type AriChannelState =
  | 'Down'
  | 'Rsrved'
  | 'OffHook'
  | 'Dialing'
  | 'Ring'
  | 'Ringing'
  | 'Up'
  | 'Busy'
  | 'Dialing Offhook'
  | 'Pre-ring'
  | 'Unknown'

export interface AriCallerId {
  name: string
  number: string
}

export interface AriDialplanCep {
  context: string
  exten: string
  priority: number
  app_name?: string
  app_data?: string
}

export interface AriChannel {
  id: string
  name: string
  state: AriChannelState
  protocol_id?: string
  caller: AriCallerId
  connected: AriCallerId
  accountcode: string
  dialplan: AriDialplanCep
  creationtime: string
  language: string
  channelvars?: Record<string, string>
  caller_rdnis?: string
  tenantid?: string
}

export interface AriBridge {
  id: string
  technology: string
  /** 'mixing' or 'holding' for bridges we create. */
  bridge_type: string
  bridge_class: string
  creator: string
  name: string
  channels: string[]
  creationtime: string
  video_mode?: string
  video_source_id?: string
}

export type AriPlaybackState = 'queued' | 'playing' | 'continuing' | 'done' | 'failed'

export interface AriPlayback {
  id: string
  media_uri: string
  next_media_uri?: string
  target_uri: string
  language?: string
  state: AriPlaybackState
}

export type AriRecordingState = 'queued' | 'recording' | 'paused' | 'done' | 'failed' | 'canceled'

export interface AriLiveRecording {
  name: string
  format: string
  target_uri: string
  state: AriRecordingState
  duration?: number
  talking_duration?: number
  silence_duration?: number
  cause?: string
}

export interface AriAsteriskInfo {
  build?: {
    os: string
    kernel: string
    machine: string
    options: string
    date: string
    user: string
  }
  system?: { version: string; entity_id: string }
  config?: {
    name: string
    default_language: string
    max_channels?: number
    max_open_files?: number
    max_load?: number
    setid: { user: string; group: string }
  }
  status?: { startup_time: string; last_reload_time: string }
}

export interface AriApplication {
  name: string
  channel_ids: string[]
  bridge_ids: string[]
  endpoint_ids: string[]
  device_names: string[]
  events_allowed?: unknown[]
  events_disallowed?: unknown[]
}

/** Q.850-based reasons ARI accepts on DELETE /channels/{id}. */
export type AriHangupReason =
  | 'normal'
  | 'busy'
  | 'congestion'
  | 'no_answer'
  | 'timeout'
  | 'rejected'
  | 'unallocated'
  | 'normal_unspecified'
  | 'number_incomplete'
  | 'codec_mismatch'
  | 'interworking'
  | 'failure'
  | 'answered_elsewhere'

/* ---------------------------------------------------------------------------------------------- */
/* WebSocket events                                                                               */
/* ---------------------------------------------------------------------------------------------- */

interface AriEventBase {
  application: string
  timestamp: string
  asterisk_id?: string
}

export interface StasisStartEvent extends AriEventBase {
  type: 'StasisStart'
  /** What the dial plan passed after the app name, e.g. ['inbound', '1000']. */
  args: string[]
  channel: AriChannel
  replace_channel?: AriChannel
}

export interface StasisEndEvent extends AriEventBase {
  type: 'StasisEnd'
  channel: AriChannel
}

export interface ChannelStateChangeEvent extends AriEventBase {
  type: 'ChannelStateChange'
  channel: AriChannel
}

export interface ChannelDtmfReceivedEvent extends AriEventBase {
  type: 'ChannelDtmfReceived'
  channel: AriChannel
  digit: string
  duration_ms: number
}

export interface ChannelHangupRequestEvent extends AriEventBase {
  type: 'ChannelHangupRequest'
  channel: AriChannel
  cause?: number
  soft?: boolean
}

export interface ChannelDestroyedEvent extends AriEventBase {
  type: 'ChannelDestroyed'
  channel: AriChannel
  cause: number
  cause_txt: string
}

export interface ChannelVarsetEvent extends AriEventBase {
  type: 'ChannelVarset'
  channel?: AriChannel
  variable: string
  value: string
}

/** The phone put the call on hold (SIP re-INVITE sendonly/inactive) or took it off hold. */
export interface ChannelHoldEvent extends AriEventBase {
  type: 'ChannelHold'
  channel: AriChannel
  musicclass?: string
}

export interface ChannelUnholdEvent extends AriEventBase {
  type: 'ChannelUnhold'
  channel: AriChannel
}

export interface ChannelEnteredBridgeEvent extends AriEventBase {
  type: 'ChannelEnteredBridge'
  bridge: AriBridge
  channel: AriChannel
}

export interface ChannelLeftBridgeEvent extends AriEventBase {
  type: 'ChannelLeftBridge'
  bridge: AriBridge
  channel: AriChannel
}

export interface BridgeDestroyedEvent extends AriEventBase {
  type: 'BridgeDestroyed'
  bridge: AriBridge
}

export interface DialEvent extends AriEventBase {
  type: 'Dial'
  caller?: AriChannel
  peer: AriChannel
  forward?: string
  forwarded?: AriChannel
  dialstring?: string
  dialstatus: string
}

export interface PlaybackStartedEvent extends AriEventBase {
  type: 'PlaybackStarted'
  playback: AriPlayback
}

export interface PlaybackFinishedEvent extends AriEventBase {
  type: 'PlaybackFinished'
  playback: AriPlayback
}

export interface RecordingStartedEvent extends AriEventBase {
  type: 'RecordingStarted'
  recording: AriLiveRecording
}

export interface RecordingFinishedEvent extends AriEventBase {
  type: 'RecordingFinished'
  recording: AriLiveRecording
}

export interface RecordingFailedEvent extends AriEventBase {
  type: 'RecordingFailed'
  recording: AriLiveRecording
}

/** The events Ringdesk handles, discriminated by `type`. */
export type KnownAriEvent =
  | StasisStartEvent
  | StasisEndEvent
  | ChannelStateChangeEvent
  | ChannelDtmfReceivedEvent
  | ChannelHangupRequestEvent
  | ChannelDestroyedEvent
  | ChannelVarsetEvent
  | ChannelHoldEvent
  | ChannelUnholdEvent
  | ChannelEnteredBridgeEvent
  | ChannelLeftBridgeEvent
  | BridgeDestroyedEvent
  | DialEvent
  | PlaybackStartedEvent
  | PlaybackFinishedEvent
  | RecordingStartedEvent
  | RecordingFinishedEvent
  | RecordingFailedEvent

export type KnownAriEventType = KnownAriEvent['type']

/**
 * Anything else Asterisk sends (it adds event types between versions). Kept apart from the known
 * union so that narrowing on `type` still yields the precise shape.
 */
export interface OtherAriEvent extends AriEventBase {
  type: string
  [field: string]: unknown
}

export type AriEvent = KnownAriEvent | OtherAriEvent

export type AriEventOf<T extends KnownAriEventType> = Extract<KnownAriEvent, { type: T }>
