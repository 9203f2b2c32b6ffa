import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import db from '@adonisjs/lucid/services/db'
import AgentDevice from '#models/agent_device'
import { summarize } from '#bench/stats'
import type BenchAsterisk from '#bench/calls/asterisk'
import { BASELINE_CALLER_IP, clearRecordings, countRecordings } from '#bench/calls/asterisk'
import { type ProcessGroup, pollUntil, usageOf } from '#bench/calls/processes'
import type { RunResult } from '#bench/calls/report'
import { BENCH_DID, type BenchBranch, MENU_PROMPT, makeAvailable } from '#bench/calls/seed'
import { readPhoneLogs, runCustomers, startPhones, type CustomerRun } from '#bench/calls/sipp'
import { createAri } from '#telephony/ari/index'
import DeviceProvisioner from '#telephony/provisioning/device_provisioner'

/*
| The two measured runs: the same customers, menu, agents and phones, once through Ringdesk
| (the real telephony worker, a child process) and once through Queue() + MixMonitor.
| Each starts from a fresh Asterisk; CPU is counted from the first call to the last recording.
*/

export interface Load {
  calls: number
  concurrent: number
  rate: number
  durationSeconds: number
}

export interface BenchContext {
  app: { makePath(...parts: string[]): string }
  group: ProcessGroup
  asterisk: BenchAsterisk
  ari: { app: string; username: string; password: string }
  sipPort: number
  branch: BenchBranch
  load: Load
  phones: number
  workDir: string
  /** Where the worker seals recordings (RECORDINGS_STORE_DIR). */
  vaultDir: string
  redis: { port: number }
  /** Write a V8 CPU profile of the worker into workDir/profile (Chrome DevTools, speedscope). */
  profileWorker: boolean
  /** Extra Node/V8 flags for the worker, to try a tuning (e.g. --max-semi-space-size=16). */
  workerNodeFlags: string[]
  /** The unit's Nice=-10 unless --worker-nice says otherwise. */
  workerNice: number
  log: (message: string) => void
}

const PHONE_SIP_PORT = 15701
const PHONE_MEDIA_PORT = 17100
// rtp_stream takes each call's ports upwards from here (SIPp 3.6), above every Asterisk's range.
const CUSTOMER_MEDIA_PORT = 50000

function expectedSeconds(load: Load) {
  // SIPp keeps at most `concurrent` calls up: the rate it can sustain is concurrent / length.
  const callLength = load.durationSeconds + 2
  const rate = Math.min(load.rate, load.concurrent / callLength)
  return load.calls / rate + callLength
}

async function ariGet(url: string, auth: { username: string; password: string }, path: string) {
  const response = await fetch(`${url}/ari${path}`, {
    headers: {
      authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`,
    },
  })
  return { ok: response.ok, body: response.ok ? await response.json() : null }
}

/** Pairs each customer's key press with the agent phone that rang for them. */
function routing(customers: CustomerRun['customers'], offers: Map<string, any>) {
  const toRing: number[] = []
  const toAnswer: number[] = []
  let completed = 0
  for (const [caller, customer] of customers) {
    const offer = offers.get(caller)
    if (!offer) continue
    toRing.push(offer.invitedAt - customer.digitAt)
    toAnswer.push(offer.answeredAt - customer.digitAt)
    if (customer.done) completed++
  }
  return { toRing: summarize(toRing), toAnswer: summarize(toAnswer), completed }
}

async function placeCustomers(ctx: BenchContext, dir: string, localIp: string, prefix: string) {
  const { load } = ctx
  return runCustomers(ctx.group, {
    scenarioDir: ctx.app.makePath('asterisk/sipp'),
    workDir: join(dir, 'customers'),
    target: `127.0.0.1:${ctx.sipPort}`,
    did: BENCH_DID,
    localIp,
    sipPort: 15690,
    mediaPort: CUSTOMER_MEDIA_PORT,
    prefix,
    calls: load.calls,
    concurrent: load.concurrent,
    rate: load.rate,
    // The key is pressed 1 s after the answer and the speech starts 0.3 s later; the call lasts
    // `duration` from the answer.
    holdMs: Math.max(1000, load.durationSeconds * 1000 - 1300),
    timeoutMs: Math.round(expectedSeconds(load) * 1500) + 60_000,
  })
}

async function startAgentPhones(ctx: BenchContext, dir: string) {
  const phones = await startPhones(ctx.group, {
    scenarioDir: ctx.app.makePath('asterisk/sipp'),
    workDir: dir,
    count: ctx.phones,
    sipPort: PHONE_SIP_PORT,
    mediaPort: PHONE_MEDIA_PORT,
  })
  await sleep(300)
  return phones
}

export function phonePorts(phones: number) {
  return Array.from({ length: phones }, (_, i) => PHONE_SIP_PORT + i)
}

/** Ringdesk: SIPp → Stasis → the real telephony worker (its IVR, ACD and recording). */
export async function runRingdesk(ctx: BenchContext): Promise<RunResult> {
  const dir = join(ctx.workDir, 'ringdesk')
  const asterisk = await ctx.asterisk.restart()
  ctx.log(`Ringdesk run: Asterisk pid ${asterisk.pid}`)
  await clearRecordings(asterisk.recordingDir)
  await rm(ctx.vaultDir, { recursive: true, force: true })
  await makeAvailable(ctx.branch.agents.map((a) => a.userId))
  const phones = await startAgentPhones(ctx, dir)

  const newest = await db.from('calls').max('id as id').first()
  const lastCallId = Number(newest?.id ?? 0)
  const workerLog = createWriteStream(join(ctx.workDir, 'worker.log'))
  // As systemd runs it (ansible/roles/ringdesk/templates/ringdesk-telephony.service.j2).
  const profile = ctx.profileWorker
    ? ['--cpu-prof', `--cpu-prof-dir=${join(ctx.workDir, 'profile')}`]
    : []
  // What both workers share: the job worker seals what the telephony worker recorded, with the
  // same key, from the same directory, through the same Redis.
  const workersEnv = {
    ...process.env,
    NODE_ENV: 'production',
    // Production refuses to record without a key of its own; this run's is thrown away.
    RECORDINGS_KEY: randomBytes(32).toString('base64'),
    RECORDINGS_DIR: asterisk.recordingDir,
    RECORDINGS_STORE_DIR: ctx.vaultDir,
    REDIS_HOST: '127.0.0.1',
    REDIS_PORT: String(ctx.redis.port),
  }
  // Nice=-10 as in the unit; nice execs node, so the pid measured is the worker's.
  const worker = ctx.group.spawn(
    'nice',
    [
      '-n',
      String(ctx.workerNice),
      process.execPath,
      ...profile,
      '--max-semi-space-size=32',
      // After ours: a later V8 flag wins, so --worker-flags can try another size.
      ...ctx.workerNodeFlags,
      '--enable-source-maps',
      'ace.js',
      'telephony:work',
    ],
    {
      cwd: ctx.app.makePath(),
      env: {
        ...workersEnv,
        ARI_URL: asterisk.ariUrl,
        ARI_APP: ctx.ari.app,
        ARI_USERNAME: ctx.ari.username,
        ARI_PASSWORD: ctx.ari.password,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }
  )
  worker.stdout?.pipe(workerLog)
  worker.stderr?.pipe(workerLog)
  // As systemd runs it (ansible/roles/ringdesk/templates/ringdesk-jobs.service.j2: Nice=10;
  // nice execs node, so the pid measured is the worker's).
  const jobsLog = createWriteStream(join(ctx.workDir, 'jobs.log'))
  const jobsCommand = [process.execPath, '--enable-source-maps', 'ace.js', 'jobs:work']
  const jobs = ctx.group.spawn('nice', ['-n', '10', ...jobsCommand], {
    cwd: ctx.app.makePath(),
    env: workersEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  // It says so once its heartbeat is written; the tail, in case the line comes in two chunks.
  let jobsOutput = ''
  jobs.stdout?.on('data', (chunk: Buffer) => (jobsOutput = (jobsOutput + chunk).slice(-2000)))
  jobs.stdout?.pipe(jobsLog)
  jobs.stderr?.pipe(jobsLog)
  const lastEndpoint = ctx.branch.agents[ctx.branch.agents.length - 1].endpoint
  const ready = await pollUntil(async () => {
    if (worker.exitCode !== null) throw new Error('worker exited')
    const app = await ariGet(asterisk.ariUrl, ctx.ari, `/applications/${ctx.ari.app}`)
    const phone = await ariGet(asterisk.ariUrl, ctx.ari, `/endpoints/PJSIP/${lastEndpoint}`)
    return app.ok && phone.ok
  }, 60_000)
  if (!ready) {
    throw new Error(
      `the telephony worker did not connect and push the agents' phones within 60 s; see ${join(ctx.workDir, 'worker.log')}`
    )
  }
  const jobsReady = await pollUntil(async () => {
    if (jobs.exitCode !== null) throw new Error('job worker exited')
    return jobsOutput.includes('job worker running')
  }, 60_000)
  if (!jobsReady) {
    throw new Error(
      `the job worker did not start within 60 s; see ${join(ctx.workDir, 'jobs.log')}`
    )
  }
  // Let the workers settle (reconcile, first heartbeat, the job worker's catch-up runs) so
  // start-up is not counted as load.
  await sleep(2000)
  ctx.log(
    `  worker pid ${worker.pid} and job worker pid ${jobs.pid} ready; ${ctx.phones} agent phone process(es) up`
  )

  const started = Date.now()
  const asteriskBefore = await usageOf(asterisk.pid)
  const workerBefore = await usageOf(worker.pid!)
  const jobsBefore = await usageOf(jobs.pid!)
  const customers = await placeCustomers(ctx, dir, '127.0.0.1', '55501')
  ctx.log(`  SIPp done: ${customers.successful} successful, ${customers.failed} failed`)

  // The run ends when every call has ended and every recording has been sealed (or 60 s).
  const settled = await pollUntil(async () => {
    const open = await db
      .from('calls')
      .where('id', '>', lastCallId)
      .whereNot('state', 'ended')
      .count('* as n')
      .first()
    const unsealed = await db
      .from('recordings')
      .where('call_id', '>', lastCallId)
      .where('encrypted', false)
      .count('* as n')
      .first()
    return Number(open?.n) === 0 && Number(unsealed?.n) === 0
  }, 60_000)
  if (!settled) ctx.log('  (calls or recordings still open 60 s after the last call)')
  const asteriskAfter = await usageOf(asterisk.pid)
  const workerAfter = await usageOf(worker.pid!)
  const jobsAfter = await usageOf(jobs.pid!)
  const seconds = (Date.now() - started) / 1000
  const stopped = await ctx.group.stop(worker, 10_000)
  await ctx.group.stop(jobs, 10_000)
  for (const phone of phones) await ctx.group.stop(phone.process)

  const offers = await readPhoneLogs(dir)
  const routed = routing(customers.customers, offers)
  const events = await db
    .from('call_events')
    .where('call_id', '>', lastCallId)
    .whereIn('type', ['queue_entered', 'offered', 'answered', 'ring_no_answer'])
    .orderBy('at')
    .select('call_id', 'type', 'at')
  const byCall = new Map<number, Record<string, number>>()
  let ringNoAnswer = 0
  for (const event of events) {
    if (event.type === 'ring_no_answer') ringNoAnswer++
    const times = byCall.get(event.call_id) ?? {}
    times[event.type] ??= Number(event.at)
    byCall.set(event.call_id, times)
  }
  const timesOf = (from: string, to: string) =>
    [...byCall.values()].filter((t) => t[from] && t[to]).map((t) => t[to] - t[from])
  const calls = await db
    .from('calls')
    .where('id', '>', lastCallId)
    .select('id', 'state', 'answered_at', 'has_recording')
  const recordings = await db
    .from('recordings')
    .where('call_id', '>', lastCallId)
    .select('storage_path', 'encrypted', 'bytes')
  let sealed = 0
  for (const recording of recordings) {
    if (!recording.encrypted) continue
    const info = await stat(join(ctx.vaultDir, recording.storage_path)).catch(() => null)
    if (info && info.size > 44) sealed++
  }
  const plaintextLeft = await countRecordings(asterisk.recordingDir)
  const dbAnswered = calls.filter((c) => c.answered_at).length

  return {
    label: 'Ringdesk',
    attempted: ctx.load.calls,
    sippSuccessful: customers.successful,
    sippFailed: customers.failed,
    completed: routed.completed,
    inviteToOk: summarize(customers.inviteToOkMs),
    dtmfToRing: routed.toRing,
    dtmfToAnswer: routed.toAnswer,
    queueToOffer: summarize(timesOf('queue_entered', 'offered')),
    queueToAnswer: summarize(timesOf('queue_entered', 'answered')),
    asteriskCpuSeconds: (asteriskAfter?.cpuSeconds ?? 0) - (asteriskBefore?.cpuSeconds ?? 0),
    asteriskPeakRssMb: asteriskAfter?.peakRssMb ?? 0,
    workerCpuSeconds: (workerAfter?.cpuSeconds ?? 0) - (workerBefore?.cpuSeconds ?? 0),
    workerPeakRssMb: workerAfter?.peakRssMb ?? 0,
    jobWorkerCpuSeconds: (jobsAfter?.cpuSeconds ?? 0) - (jobsBefore?.cpuSeconds ?? 0),
    recordings: sealed,
    notes: [
      `calls in the database: ${calls.length}, answered ${dbAnswered}, ended ${calls.filter((c) => c.state === 'ended').length}, with recording ${calls.filter((c) => c.has_recording).length}`,
      `recordings: ${sealed} sealed in the vault (of ${recordings.length} rows); ${plaintextLeft} plaintext WAV left in Asterisk's directory`,
      `offers not answered (ring_no_answer): ${ringNoAnswer}`,
      stopped.killed
        ? 'the worker did not exit within 10 s of SIGTERM: killed'
        : `the worker exited ${(stopped.ms / 1000).toFixed(1)} s after SIGTERM`,
      `worker CPU including start-up: ${workerAfter?.cpuSeconds.toFixed(1)} s; RSS before the first call ${Math.round(workerBefore?.rssMb ?? 0)} MB, at the end ${Math.round(workerAfter?.rssMb ?? 0)} MB`,
      `job worker (sealing the recordings) CPU including start-up: ${jobsAfter?.cpuSeconds.toFixed(1)} s; peak RSS ${Math.round(jobsAfter?.peakRssMb ?? 0)} MB`,
    ],
    seconds,
  }
}

/** The baseline: the same load through the [bench-baseline] dial plan (Queue() + MixMonitor). */
export function runBaseline(ctx: BenchContext): Promise<RunResult> {
  return runWithoutWorker(ctx, {
    label: 'Queue()+MixMonitor',
    dir: join(ctx.workDir, 'baseline'),
    callerIp: BASELINE_CALLER_IP,
    prefix: '55502',
    recordingPrefix: 'baseline-',
  })
}

/**
 * The ARI floor: the same load through [from-trunk] and Stasis, handled by the least an ARI
 * application can do (bench/calls/floor_router.ts): what ARI itself costs here, beside Ringdesk.
 */
export function runFloor(ctx: BenchContext): Promise<RunResult> {
  return runWithoutWorker(ctx, {
    label: 'ARI floor',
    dir: join(ctx.workDir, 'floor'),
    callerIp: '127.0.0.1',
    prefix: '55503',
    recordingPrefix: 'floor-',
    router: true,
  })
}

/** A run whose calls Asterisk handles alone (the baseline) or with the floor router. */
async function runWithoutWorker(
  ctx: BenchContext,
  run: {
    label: string
    dir: string
    callerIp: string
    prefix: string
    recordingPrefix: string
    router?: boolean
  }
): Promise<RunResult> {
  const asterisk = await ctx.asterisk.restart()
  ctx.log(`${run.label} run: Asterisk pid ${asterisk.pid}`)
  await clearRecordings(asterisk.recordingDir)
  // The same PJSIP objects as the worker pushes, pushed the same way (ARI dynamic config).
  const provisioner = new DeviceProvisioner(createAri({ url: asterisk.ariUrl, ...ctx.ari }).client)
  const devices = await AgentDevice.query().whereIn(
    'user_id',
    ctx.branch.agents.map((a) => a.userId)
  )
  for (const device of devices) await provisioner.push(device)
  const phones = await startAgentPhones(ctx, run.dir)
  const router = run.router ? await startFloorRouter(ctx, asterisk.ariUrl) : null
  await sleep(1000)

  const started = Date.now()
  const before = await usageOf(asterisk.pid)
  const routerBefore = router ? await usageOf(router.pid!) : null
  const customers = await placeCustomers(ctx, run.dir, run.callerIp, run.prefix)
  ctx.log(`  SIPp done: ${customers.successful} successful, ${customers.failed} failed`)
  await pollUntil(async () => {
    const channels = await ariGet(asterisk.ariUrl, ctx.ari, '/channels')
    return channels.ok && (channels.body as unknown[]).length === 0
  }, 60_000)
  // MixMonitor closes its file just after the channel goes.
  await sleep(1000)
  const after = await usageOf(asterisk.pid)
  const routerAfter = router ? await usageOf(router.pid!) : null
  const seconds = (Date.now() - started) / 1000
  if (router) await ctx.group.stop(router)
  for (const phone of phones) await ctx.group.stop(phone.process)

  const offers = await readPhoneLogs(run.dir)
  const routed = routing(customers.customers, offers)
  const recordings = await countRecordings(asterisk.recordingDir, run.recordingPrefix)
  await clearRecordings(asterisk.recordingDir)
  return {
    label: run.label,
    attempted: ctx.load.calls,
    sippSuccessful: customers.successful,
    sippFailed: customers.failed,
    completed: routed.completed,
    inviteToOk: summarize(customers.inviteToOkMs),
    dtmfToRing: routed.toRing,
    dtmfToAnswer: routed.toAnswer,
    asteriskCpuSeconds: (after?.cpuSeconds ?? 0) - (before?.cpuSeconds ?? 0),
    asteriskPeakRssMb: after?.peakRssMb ?? 0,
    ...(router && {
      workerCpuSeconds: (routerAfter?.cpuSeconds ?? 0) - (routerBefore?.cpuSeconds ?? 0),
      workerPeakRssMb: routerAfter?.peakRssMb ?? 0,
    }),
    recordings,
    notes: [`recordings: ${recordings} MixMonitor WAV files (more than a header)`],
    seconds,
  }
}

/** The floor router as its own process, at the telephony worker's priority. */
async function startFloorRouter(ctx: BenchContext, ariUrl: string) {
  const router = ctx.group.spawn(
    'nice',
    ['-n', String(ctx.workerNice), process.execPath, 'bench/calls/floor_router.ts'],
    {
      cwd: ctx.app.makePath(),
      env: {
        ...process.env,
        ARI_URL: ariUrl,
        ARI_APP: ctx.ari.app,
        ARI_USERNAME: ctx.ari.username,
        ARI_PASSWORD: ctx.ari.password,
        AGENTS: ctx.branch.agents.map((a) => a.endpoint).join(','),
        PROMPT: `sound:${MENU_PROMPT}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }
  )
  const log = createWriteStream(join(ctx.workDir, 'floor_router.log'))
  let output = ''
  router.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk).slice(-2000)))
  router.stdout?.pipe(log)
  router.stderr?.pipe(log)
  const ready = await pollUntil(async () => {
    if (router.exitCode !== null) throw new Error('the floor router exited')
    return output.includes('floor router ready')
  }, 30_000)
  if (!ready)
    throw new Error(`the floor router did not start; see ${join(ctx.workDir, 'floor_router.log')}`)
  return router
}
