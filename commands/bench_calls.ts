import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import app from '@adonisjs/core/services/app'
import env from '#start/env'
import type { ProcessGroup } from '#bench/calls/processes'
import type { RunResult } from '#bench/calls/report'
import type { BenchContext } from '#bench/calls/runs'

const MAX_CONCURRENT = 200
const RUNS = ['ringdesk', 'floor', 'baseline']
const REDIS_PORT = 6488

/**
 * Issue 3: SIPp customers (G.711 speech, RFC 2833 DTMF) through menu → queue → SIPp agent
 * phones that answer and echo, with recording, through Ringdesk (the real telephony worker) and
 * then through a plain Queue() + MixMonitor dial plan on a fresh Asterisk: completed calls,
 * routing latency, CPU and memory of the worker and of Asterisk, recordings, and the ratios.
 * Runs on its own Asterisk instance ("bench": ARI 8288, SIP 5260, RTP 40000-49999) and its own
 * Redis (6488), beside any test or development instance.
 */
export default class BenchCalls extends BaseCommand {
  static commandName = 'bench:calls'
  static description = 'Benchmark recorded calls through IVR → queue → agents against Queue()'
  static options: CommandOptions = { startApp: true }

  @flags.number({ description: 'Calls to place', default: 300 })
  declare calls: number

  @flags.number({
    description: `Calls up at the same time (at most ${MAX_CONCURRENT})`,
    default: 100,
  })
  declare concurrent: number

  @flags.number({ description: 'New calls per second', default: 10 })
  declare rate: number

  @flags.number({ description: 'Seconds each call lasts from its answer', default: 20 })
  declare duration: number

  @flags.number({ description: 'Agents (default: concurrent + 10)' })
  declare agents?: number

  @flags.number({ description: 'SIPp processes answering for the agents', default: 2 })
  declare phones: number

  @flags.string({
    description:
      'Which runs, comma-separated: ringdesk, floor (the least an ARI app costs), baseline; or all',
    default: 'all',
  })
  declare only: string

  @flags.boolean({ description: 'CPU profile of the worker into storage/bench-calls/profile' })
  declare profileWorker: boolean

  @flags.string({
    description:
      "Extra Node flags for the worker, after its --max-semi-space-size=32 (e.g. '--max-semi-space-size=16')",
  })
  declare workerFlags?: string

  @flags.number({
    description: 'Niceness of the telephony worker (default -10, as ringdesk-telephony.service)',
  })
  declare workerNice?: number

  async run() {
    if (this.concurrent < 1 || this.concurrent > MAX_CONCURRENT) {
      this.logger.error(`--concurrent must be 1-${MAX_CONCURRENT}`)
      this.exitCode = 1
      return
    }
    const runs = new Set(this.only === 'all' ? RUNS : this.only.split(',').map((run) => run.trim()))
    if (runs.size === 0 || [...runs].some((run) => !RUNS.includes(run))) {
      this.logger.error(`--only must be all or a comma-separated list of ${RUNS.join(', ')}`)
      this.exitCode = 1
      return
    }
    if (process.getuid?.() !== 0) {
      this.logger.error('bench:calls needs root: the Asterisk sandbox chroots and mounts')
      this.exitCode = 1
      return
    }
    const agents = Math.max(this.agents ?? this.concurrent + 10, this.concurrent)
    const load = {
      calls: this.calls,
      concurrent: this.concurrent,
      rate: this.rate,
      durationSeconds: this.duration,
    }
    const ari = {
      app: env.get('ARI_APP'),
      username: env.get('ARI_USERNAME'),
      password: env.get('ARI_PASSWORD').release(),
    }
    // Imported here: ace imports every command file, the telephony worker included.
    const { default: BenchAsterisk } = await import('#bench/calls/asterisk')
    const { ProcessGroup } = await import('#bench/calls/processes')
    const { floorComparison, table, targetsOf } = await import('#bench/calls/report')
    const { phonePorts, runBaseline, runFloor, runRingdesk } = await import('#bench/calls/runs')
    const { seedBench } = await import('#bench/calls/seed')
    const workDir = app.makePath('storage', 'bench-calls')
    const vaultDir = app.makePath('storage', 'bench-calls', 'vault')
    await rm(workDir, { recursive: true, force: true })
    await mkdir(workDir, { recursive: true })

    const group = new ProcessGroup()
    const asterisk = new BenchAsterisk({
      sandbox: app.makePath('asterisk/sandbox'),
      instance: 'bench',
      ariPort: 8288,
      sipPort: 5260,
      rtpStart: 40000,
      rtpEnd: 49999,
      ...ari,
    })
    group.onInterrupt(() => asterisk.stopNow())

    let ours: RunResult | null = null
    let floor: RunResult | null = null
    let baseline: RunResult | null = null
    try {
      const branch = await seedBench({ agents, phonePorts: phonePorts(this.phones) })
      await asterisk.writeConfig(branch.agents.map((a) => a.endpoint))
      await this.#startRedis(group, workDir)
      this.logger.info(
        `${load.calls} calls of ${load.durationSeconds} s, ${load.rate}/s, up to ${load.concurrent} at once; ${agents} agents on ${this.phones} SIPp phone process(es)`
      )
      const ctx: BenchContext = {
        app,
        group,
        asterisk,
        ari,
        sipPort: 5260,
        branch,
        load,
        phones: this.phones,
        workDir,
        vaultDir,
        redis: { port: REDIS_PORT },
        profileWorker: this.profileWorker ?? false,
        workerNodeFlags: this.workerFlags?.split(/\s+/).filter(Boolean) ?? [],
        workerNice: this.workerNice ?? -10,
        log: (message) => this.logger.info(message),
      }
      if (runs.has('ringdesk')) ours = await runRingdesk(ctx)
      if (runs.has('floor')) floor = await runFloor(ctx)
      if (runs.has('baseline')) baseline = await runBaseline(ctx)
    } finally {
      await group.stopAll()
      await asterisk.stop().catch((e) => this.logger.warning(`stopping Asterisk: ${e.message}`))
      await rm(vaultDir, { recursive: true, force: true })
    }

    this.logger.log('')
    this.logger.log(table(ours, baseline, floor))
    for (const run of [ours, floor, baseline]) {
      if (!run) continue
      this.logger.log('')
      this.logger.log(`${run.label}:`)
      for (const note of run.notes) this.logger.log(`  ${note}`)
    }
    this.logger.log(
      "\nkey press = the customer's digit complete (first RFC 2833 end packet; SIPp's clock); agent rung / answered = the agent's phone got the INVITE / sent its 200 OK (its SIPp's clock). Logs: storage/bench-calls/"
    )
    if (floor) {
      this.logger.log('')
      for (const line of floorComparison(ours, floor, baseline)) this.logger.log(`  ${line}`)
    }
    if (ours) {
      this.logger.log('')
      let failed = false
      for (const target of targetsOf(ours, baseline)) {
        failed ||= !target.ok
        this.logger.log(`  ${target.ok ? 'PASS' : 'FAIL'}  ${target.name}: ${target.detail}`)
      }
      if (failed) this.exitCode = 1
    }
  }

  /** A Redis of the bench's own (the worker's leader lock), with the app's password if any. */
  async #startRedis(group: ProcessGroup, workDir: string) {
    const password = env.get('REDIS_PASSWORD')?.release()
    const config = join(workDir, 'redis.conf')
    await writeFile(
      config,
      [
        `port ${REDIS_PORT}`,
        'bind 127.0.0.1',
        'save ""',
        'appendonly no',
        `dir ${workDir}`,
        ...(password ? [`requirepass ${password}`] : []),
        '',
      ].join('\n'),
      { mode: 0o600 }
    )
    const redis = group.spawn('redis-server', [config])
    await sleep(300)
    if (redis.exitCode !== null) throw new Error(`redis-server exited (port ${REDIS_PORT} taken?)`)
  }
}
