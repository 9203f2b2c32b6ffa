/*
| A real Asterisk for integration tests: the sandbox's "test" instance on its own ports (ARI 8188,
| SIP 5160, RTP 12000-13999), beside a developer's "default" one. And SIPp, to place real calls.
| Needs root (the sandbox chroots and mounts); the first run builds the root (about a minute).
*/

import { execFile, spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { copyFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

const SANDBOX = fileURLToPath(new URL('../../asterisk/sandbox', import.meta.url))
export const SIPP_SCENARIOS = fileURLToPath(new URL('../../asterisk/sipp/', import.meta.url))

export interface TestAsteriskOptions {
  instance?: string
  ariPort?: number
  sipPort?: number
  rtpStart?: number
  app?: string
  username?: string
  password?: string
}

export interface TestAsterisk {
  instance: string
  /** Base URL of the HTTP server, e.g. http://127.0.0.1:8188 (what the ARI client takes). */
  ariUrl: string
  username: string
  password: string
  /** The Stasis application the dial plan hands calls to. */
  app: string
  sipPort: number
  /** Where `record` puts files, as a host path. */
  recordingDir: string
  /** `core stop now`; resolves when the process has exited. */
  stop(): Promise<void>
}

/*
| TEST_SLOT=n (1-7) gives a second test run on the same machine its own Asterisk instance and
| ports, so two runs (a developer's and a helper's) do not stop each other's Asterisk.
*/
const SLOT = Number(process.env.TEST_SLOT ?? 0)

const TEST_DEFAULTS = {
  instance: SLOT ? `test${SLOT}` : 'test',
  ariPort: 8188 + SLOT * 10,
  sipPort: 5160 + SLOT * 10,
  rtpStart: SLOT ? 30000 + SLOT * 2000 : 12000,
  app: 'ringdesk',
  username: 'ringdesk',
  password: 'ringdesk-dev-secret',
}

/** Builds the root if needed, starts the instance and resolves once ARI answers. */
export async function startTestAsterisk(options: TestAsteriskOptions = {}): Promise<TestAsterisk> {
  const settings = { ...TEST_DEFAULTS, ...options }
  if (process.getuid?.() !== 0) {
    throw new Error(
      'startTestAsterisk needs root: asterisk/sandbox uses debootstrap, chroot and mounts'
    )
  }
  const env = {
    ...process.env,
    ARI_PORT: String(settings.ariPort),
    SIP_PORT: String(settings.sipPort),
    RTP_START: String(settings.rtpStart),
    RTP_END: String(settings.rtpStart + 1999),
    ARI_APP: settings.app,
    ARI_USERNAME: settings.username,
    ARI_PASSWORD: settings.password,
  }
  await sandbox(['ensure'], env, 600_000)
  const { stdout } = await sandbox(['start', settings.instance], env, 90_000)
  const status = parseKeyValues(stdout)

  return {
    instance: settings.instance,
    ariUrl: status.ari_url ?? `http://127.0.0.1:${settings.ariPort}`,
    username: settings.username,
    password: settings.password,
    app: status.ari_app ?? settings.app,
    sipPort: Number(status.sip?.split(':').at(-1) ?? settings.sipPort),
    recordingDir: status.recording_dir ?? '',
    stop: async () => {
      await sandbox(['stop', settings.instance], process.env, 30_000)
    },
  }
}

async function sandbox(args: string[], env: NodeJS.ProcessEnv, timeout: number) {
  try {
    return await execFileAsync(SANDBOX, args, { env, timeout, maxBuffer: 4 * 1024 * 1024 })
  } catch (error) {
    const failure = error as Error & { stderr?: string }
    throw new Error(
      `asterisk/sandbox ${args.join(' ')} failed: ${failure.stderr || failure.message}`
    )
  }
}

function parseKeyValues(text: string): Record<string, string> {
  const entries = text
    .split('\n')
    .map((line) => line.match(/^([a-z_]+)=(.*)$/))
    .filter((match): match is RegExpMatchArray => match !== null)
    .map((match) => [match[1], match[2]])
  return Object.fromEntries(entries)
}

/* ---------------------------------------------------------------------------------------------- */
/* SIPp                                                                                           */
/* ---------------------------------------------------------------------------------------------- */

export interface SippResult {
  /** 0: every call succeeded; 1: at least one failed; other values: SIPp itself failed. */
  exitCode: number | null
  signal: NodeJS.Signals | null
  successfulCalls: number
  failedCalls: number
  /** INVITE to 200 OK of each call in ms (SIPp's "setup" response time, ms resolution). */
  setupTimesMs: number[]
  /** The last row of SIPp's statistics file, by column name (e.g. 'FailedCallRejected(C)'). */
  stats: Record<string, string>
  /** SIPp's error log without the expected receive timeouts of the hold loop. */
  errors: string
  /** The tail of SIPp's screen, for a failure message. */
  output: string
}

/**
 * Runs SIPp with `args` in a scratch directory and resolves when it exits. Statistics, response
 * times and errors are collected from the files SIPp writes; the caller adds the scenario.
 */
export async function runSipp(
  args: string[],
  options: { timeoutMs?: number } = {}
): Promise<SippResult> {
  const workDir = await mkdtemp(join(tmpdir(), 'ringdesk-sipp-'))
  // The caller's continuous audio (rtp_stream reads it relative to SIPp's working directory).
  await copyFile(join(SIPP_SCENARIOS, 'caller_audio.alaw'), join(workDir, 'caller_audio.alaw'))
  const timeoutMs = options.timeoutMs ?? 60_000
  const fullArgs = [
    ...args,
    '-nostdin',
    '-trace_stat',
    '-stf',
    'stats.csv',
    '-fd',
    '1',
    '-trace_rtt',
    '-rtt_freq',
    '1',
    '-trace_err',
    '-timeout',
    `${Math.ceil(timeoutMs / 1000)}s`,
  ]
  try {
    const { exitCode, signal, output } = await spawnSipp(fullArgs, workDir, timeoutMs + 10_000)

    const files = await readdir(workDir)
    const stats = lastCsvRow(await readOptional(join(workDir, 'stats.csv')))
    const rttFile = files.find((file) => file.endsWith('_rtt.csv'))
    const errorFile = files.find((file) => file.endsWith('_errors.log'))
    const setupTimesMs = (rttFile ? await readOptional(join(workDir, rttFile)) : '')
      .split('\n')
      .slice(1)
      .map((line) => line.split(';'))
      .filter((fields) => fields[2] === 'setup')
      .map((fields) => Number(fields[1]))
    const errors = (errorFile ? await readOptional(join(workDir, errorFile)) : '')
      .split(/(?=\d{4}-\d{2}-\d{2}\t)/)
      .filter((entry) => entry.trim() !== '' && !entry.includes('receive timeout on message'))
      .join('')

    return {
      exitCode,
      signal,
      successfulCalls: Number(stats['SuccessfulCall(C)'] ?? 0),
      failedCalls: Number(stats['FailedCall(C)'] ?? 0),
      setupTimesMs,
      stats,
      errors,
      output: output.slice(-3000),
    }
  } finally {
    await rm(workDir, { recursive: true, force: true })
  }
}

export interface CallOptions {
  /** Asterisk's SIP port (127.0.0.1). */
  sipPort: number
  /** The dialled number (the DID): the Stasis args become ['inbound', did]. */
  did: string
  /** Calling number, sent as the From user. */
  caller?: string
  /** One digit 0-9 sent one second after the answer. */
  dtmf?: string
  /** A second digit 0-9 sent 2.5 s after the first (a second menu level). */
  dtmf2?: string
  /** How long the caller stays on before its own BYE; a BYE from Asterisk ends it sooner. */
  holdMs?: number
  /** Number of calls (one by default) and how many per second (SIPp's default: 10). */
  calls?: number
  rate?: number
}

/** Arguments for asterisk/sipp/uac_call.xml on free local ports, ready for runSipp. */
export async function sippCallArgs(options: CallOptions): Promise<string[]> {
  const sipPort = await freeUdpPort()
  const mediaPort = await freeMediaPort()
  const args = [
    `127.0.0.1:${options.sipPort}`,
    '-sf',
    join(SIPP_SCENARIOS, 'uac_call.xml'),
    '-s',
    options.did,
    '-i',
    '127.0.0.1',
    '-p',
    String(sipPort),
    '-mi',
    '127.0.0.1',
    '-mp',
    String(mediaPort),
    '-m',
    String(options.calls ?? 1),
  ]
  if (options.rate !== undefined) args.push('-r', String(options.rate))
  if (options.caller) args.push('-set', 'caller', options.caller)
  if (options.dtmf) args.push('-set', 'dtmf', options.dtmf)
  if (options.dtmf2) args.push('-set', 'dtmf2', options.dtmf2)
  if (options.holdMs !== undefined) args.push('-set', 'hold', String(options.holdMs))
  return args
}

/** Places calls with uac_call.xml and resolves with SIPp's result. */
export async function placeCall(
  options: CallOptions & { timeoutMs?: number }
): Promise<SippResult> {
  return runSipp(await sippCallArgs(options), { timeoutMs: options.timeoutMs })
}

interface SippExit {
  exitCode: number | null
  signal: NodeJS.Signals | null
  output: string
}

function spawnSipp(args: string[], cwd: string, killAfterMs: number): Promise<SippExit> {
  return new Promise((resolve, reject) => {
    const child = spawn('sipp', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8000)
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    // SIPp's own -timeout should end it first; this guards against a wedged process.
    const guard = setTimeout(() => child.kill('SIGKILL'), killAfterMs)
    child.on('error', (error) => {
      clearTimeout(guard)
      reject(error)
    })
    child.on('close', (exitCode, signal) => {
      clearTimeout(guard)
      resolve({ exitCode, signal, output })
    })
  })
}

async function readOptional(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch {
    return ''
  }
}

function lastCsvRow(text: string): Record<string, string> {
  const lines = text.split('\n').filter((line) => line.trim() !== '')
  if (lines.length < 2) return {}
  const header = lines[0].split(';')
  const values = lines[lines.length - 1].split(';')
  return Object.fromEntries(header.map((name, index) => [name, values[index] ?? '']))
}

/** A UDP port nobody holds now (the kernel's pick); good enough for a test on loopback. */
function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4')
    socket.once('error', reject)
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address()
      socket.close(() => resolve(port))
    })
  })
}

/** SIPp binds the media port and the one two above it (video): find an even pair that is free. */
async function freeMediaPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + 2 * Math.floor(Math.random() * 5000)
    if ((await udpPortFree(port)) && (await udpPortFree(port + 2))) return port
  }
  throw new Error('no free UDP port pair for SIPp media')
}

function udpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4')
    socket.once('error', () => resolve(false))
    socket.bind(port, '0.0.0.0', () => socket.close(() => resolve(true)))
  })
}
