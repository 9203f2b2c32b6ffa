import { closeSync, openSync } from 'node:fs'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ChildProcess } from 'node:child_process'
import { type ProcessGroup, waitForExit } from '#bench/calls/processes'

/*
| SIPp for a load run: agent phones (asterisk/sipp/uas_agent.xml, answer at once and echo RTP)
| and customers (asterisk/sipp/uac_bench.xml: speech, DTMF 1, hold, hang up), and the files they
| leave behind: SIPp's response-time trace (INVITE → 200), its statistics, and the wall-clock
| lines both scenarios log so that a customer's key press can be matched with the agent phone
| that rang.
*/

const SPEECH_CAPTURE = '/usr/share/sip-tester/g711a.pcap'
const DIGIT_CAPTURE = '/usr/share/sip-tester/dtmf_2833_1.pcap'

/** The RTP packets of a capture: ms since its first packet, and the RTP header and payload. */
async function rtpPackets(path: string) {
  const pcap = await readFile(path)
  const packets: Array<{ ms: number; rtp: Buffer }> = []
  // pcap: 24-byte file header, then per packet a 16-byte header and the frame; the frames are
  // Ethernet (14) + IPv4 (20) + UDP (8) + RTP.
  const little = pcap.readUInt32LE(0) === 0xa1b2c3d4
  const u32 = (at: number) => (little ? pcap.readUInt32LE(at) : pcap.readUInt32BE(at))
  let first: number | null = null
  let offset = 24
  while (offset + 16 <= pcap.length) {
    const ms = u32(offset) * 1000 + u32(offset + 4) / 1000
    const length = u32(offset + 8)
    const frame = pcap.subarray(offset + 16, offset + 16 + length)
    offset += 16 + length
    first ??= ms
    if (frame.length > 42) packets.push({ ms: ms - first, rtp: frame.subarray(42) })
  }
  return packets
}

/**
 * When the digit of sip-tester's RFC 2833 capture is complete: its first packet with the end bit,
 * in ms after the capture starts (Asterisk reports the digit then).
 */
export async function digitEndOffsetMs() {
  const packets = await rtpPackets(DIGIT_CAPTURE)
  // RTP header (12 bytes), then the event: digit, E|R|volume, duration.
  const end = packets.find((p) => p.rtp.length >= 16 && (p.rtp[13] & 0x80) !== 0)
  return end?.ms ?? 0
}

/**
 * The a-law payload of sip-tester's speech capture, written as `speech.alaw` into `dir` for
 * rtp_stream (replaying the capture itself twice in a call loses the second play).
 */
export async function writeSpeech(dir: string) {
  const packets = await rtpPackets(SPEECH_CAPTURE)
  const payload = Buffer.concat(packets.map((p) => p.rtp.subarray(12)))
  await writeFile(join(dir, 'speech.alaw'), payload)
}

export interface Phone {
  port: number
  process: ChildProcess
}

/** `count` agent phones on consecutive SIP ports, each with its own media port and log dir. */
export async function startPhones(
  group: ProcessGroup,
  options: {
    scenarioDir: string
    workDir: string
    count: number
    sipPort: number
    mediaPort: number
  }
): Promise<Phone[]> {
  const phones: Phone[] = []
  for (let i = 0; i < options.count; i++) {
    const port = options.sipPort + i
    const cwd = join(options.workDir, `phone-${port}`)
    await mkdir(cwd, { recursive: true })
    const errors = openSync(join(cwd, 'sipp.err'), 'w')
    const child = group.spawn(
      'sipp',
      [
        '-sf',
        join(options.scenarioDir, 'uas_agent.xml'),
        '-i',
        '127.0.0.1',
        '-p',
        String(port),
        '-mi',
        '127.0.0.1',
        '-mp',
        String(options.mediaPort + 10 * i),
        '-rtp_echo',
        '-trace_logs',
        '-nostdin',
      ],
      { cwd, stdio: ['ignore', 'ignore', errors] }
    )
    // The child has its own copy of the descriptor.
    closeSync(errors)
    phones.push({ port, process: child })
  }
  return phones
}

export interface CustomerRun {
  exitCode: number | null
  /** SIPp's own totals (last row of its statistics file). */
  successful: number
  failed: number
  /** INVITE → 200 of each call in ms (SIPp's response time "setup"). */
  inviteToOkMs: number[]
  /** Per calling number: wall clock (ms) when the digit was complete; done at the end. */
  customers: Map<string, { digitAt: number; done: boolean }>
}

/** Runs the customers and resolves when SIPp has placed and finished all of them. */
export async function runCustomers(
  group: ProcessGroup,
  options: {
    scenarioDir: string
    workDir: string
    target: string
    did: string
    localIp: string
    sipPort: number
    mediaPort: number
    prefix: string
    calls: number
    concurrent: number
    rate: number
    holdMs: number
    timeoutMs: number
  }
): Promise<CustomerRun> {
  const cwd = options.workDir
  await mkdir(cwd, { recursive: true })
  await writeSpeech(cwd)
  const errors = openSync(join(cwd, 'sipp.err'), 'w')
  const child = group.spawn(
    'sipp',
    [
      options.target,
      '-sf',
      join(options.scenarioDir, 'uac_bench.xml'),
      '-s',
      options.did,
      '-i',
      options.localIp,
      '-p',
      String(options.sipPort),
      '-mi',
      options.localIp,
      '-mp',
      String(options.mediaPort),
      '-m',
      String(options.calls),
      '-l',
      String(options.concurrent),
      '-r',
      String(options.rate),
      '-set',
      'prefix',
      options.prefix,
      '-set',
      'hold',
      String(options.holdMs),
      '-trace_rtt',
      '-rtt_freq',
      '1',
      '-trace_stat',
      '-stf',
      'stats.csv',
      '-fd',
      '5',
      '-trace_logs',
      '-nostdin',
      '-timeout',
      `${Math.ceil(options.timeoutMs / 1000)}s`,
    ],
    { cwd, stdio: ['ignore', 'ignore', errors] }
  )
  closeSync(errors)
  const exitCode = await waitForExit(child, options.timeoutMs + 15_000)
  // 0: all calls succeeded, 1: some failed; anything else is SIPp itself failing.
  if (exitCode !== 0 && exitCode !== 1) {
    const text = await readOptional(join(cwd, 'sipp.err'))
    throw new Error(`SIPp (customers) exited with ${exitCode}: ${text.slice(-2000)}`)
  }

  const files = await readdir(cwd)
  const stats = lastCsvRow(await readOptional(join(cwd, 'stats.csv')))
  const rtt = files.find((file) => file.endsWith('_rtt.csv'))
  const inviteToOkMs = (rtt ? await readOptional(join(cwd, rtt)) : '')
    .split('\n')
    .map((line) => line.split(';'))
    .filter((fields) => fields[2]?.trim() === 'setup')
    .map((fields) => Number(fields[1]))
  const customers = new Map<string, { digitAt: number; done: boolean }>()
  const digitLength = await digitEndOffsetMs()
  for (const line of await logLines(cwd, 'uac_bench_')) {
    const [kind, caller, seconds, micros] = line.split(' ')
    if (kind === 'dtmf') {
      customers.set(caller, { digitAt: wallMs(seconds, micros) + digitLength, done: false })
    }
    if (kind === 'done') {
      const customer = customers.get(caller)
      if (customer) customer.done = true
    }
  }
  return {
    exitCode,
    successful: Number(stats['SuccessfulCall(C)'] ?? 0),
    failed: Number(stats['FailedCall(C)'] ?? 0),
    inviteToOkMs,
    customers,
  }
}

/** Per calling number: when the agent phone got the INVITE and when it answered (wall ms). */
export async function readPhoneLogs(workDir: string) {
  const offers = new Map<string, { invitedAt: number; answeredAt: number }>()
  for (const dir of await readdir(workDir)) {
    if (!dir.startsWith('phone-')) continue
    for (const line of await logLines(join(workDir, dir), 'uas_agent_')) {
      const [kind, caller, inS, inUs, okS, okUs] = line.split(' ')
      if (kind !== 'invite' || offers.has(caller)) continue
      offers.set(caller, { invitedAt: wallMs(inS, inUs), answeredAt: wallMs(okS, okUs) })
    }
  }
  return offers
}

/** SIPp's gettimeofday action stores doubles ("1795416597.000000"). */
function wallMs(seconds: string, micros: string) {
  return Number(seconds) * 1000 + Number(micros) / 1000
}

async function logLines(dir: string, prefix: string) {
  const lines: string[] = []
  for (const file of await readdir(dir)) {
    if (file.startsWith(prefix) && file.endsWith('_logs.log')) {
      const text = await readOptional(join(dir, file))
      lines.push(...text.split('\n').filter(Boolean))
    }
  }
  return lines
}

async function readOptional(path: string) {
  return readFile(path, 'utf8').catch(() => '')
}

function lastCsvRow(text: string): Record<string, string> {
  const lines = text.split('\n').filter((line) => line.trim() !== '')
  if (lines.length < 2) return {}
  const header = lines[0].split(';')
  const values = lines[lines.length - 1].split(';')
  return Object.fromEntries(header.map((name, index) => [name, values[index] ?? '']))
}
