import { randomUUID } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DateTime } from 'luxon'
import Call from '#models/call'
import Recording from '#models/recording'
import SealRecording from '#actions/recordings/seal_recording'
import { recordingVault } from '#services/recording_vault'

/*
| Fixtures for recordings and voicemails as the telephony worker leaves them: a sox-generated WAV
| in a scratch "Asterisk recording directory", a recordings row, sealed into the vault by the same
| SealRecording the worker uses. `cleanup()` removes the scratch directory and the vault files the
| test made (its rows roll back with the test's transaction).
*/

const sealed: string[] = []
const dirs: string[] = []

export async function cleanupSealedAudio() {
  for (const name of sealed.splice(0)) await recordingVault().remove(name)
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
}

/** A finished inbound call, answered by `agentId` (if any) ten minutes ago. */
export async function makeCall(
  options: { agentId?: number | null; queueId?: number | null; caller?: string } = {}
) {
  const startedAt = DateTime.utc().minus({ minutes: 10 })
  return Call.create({
    uuid: randomUUID(),
    direction: 'inbound',
    did: '4008001000',
    callerNumber: options.caller ?? '13800138000',
    callerName: null,
    customerId: null,
    startedAt,
    answeredAt: options.agentId ? startedAt.plus({ seconds: 5 }) : null,
    endedAt: startedAt.plus({ minutes: 2 }),
    endCause: 'normal_clearing',
    routeId: null,
    ivrFlowId: null,
    ivrFlowVersion: null,
    queueId: options.queueId ?? null,
    agentId: options.agentId ?? null,
    waitSeconds: 5,
    talkSeconds: options.agentId ? 115 : 0,
    holdSeconds: 0,
    wrapUpSeconds: 0,
    transferred: false,
    abandoned: !options.agentId,
    hasRecording: true,
    state: 'ended',
  })
}

/** A WAV as Asterisk records it (8 kHz, mono, 16-bit) holding a tone, made by sox. */
export function toneWav(path: string, seconds: number, hz = 440) {
  execFileSync('sox', [
    '-n',
    '-r',
    '8000',
    '-c',
    '1',
    '-b',
    '16',
    path,
    'synth',
    String(seconds),
    'sine',
    String(hz),
  ])
}

/** A recording of `call` (a tone of `hz` for `seconds`), sealed in the vault; its plaintext too. */
export async function sealedRecording(
  call: Call,
  options: { kind?: 'call' | 'voicemail'; seconds?: number; hz?: number } = {}
) {
  const dir = await mkdtemp(join(tmpdir(), 'ringdesk-sealed-'))
  dirs.push(dir)
  const fileName = `${randomUUID()}.wav`
  const source = join(dir, fileName)
  toneWav(source, options.seconds ?? 2, options.hz ?? 440)
  const plain = await readFile(source)
  const row = await Recording.create({
    callId: call.id,
    storagePath: fileName,
    kind: options.kind ?? 'call',
    format: 'wav',
    bytes: plain.length,
    durationMs: (options.seconds ?? 2) * 1000,
    encrypted: false,
    retentionUntil: DateTime.utc().plus({ days: 30 }),
  })
  const recording = await new SealRecording(recordingVault(), {
    quietMs: 20,
    maxWaitMs: 1000,
  }).handle(call.id, dir, row.id)
  sealed.push(recording!.storagePath)
  return { recording: recording!, plain }
}
