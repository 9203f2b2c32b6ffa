import { execFile, spawnSync } from 'node:child_process'
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

/*
| The benchmark's own Asterisk: the sandbox instance "bench" on ports no test or developer
| instance uses, restarted fresh for each measured run so that each run's CPU is its own.
| Beside the rendered templates it gets two bench-only files: the baseline's trunk endpoint
| (pjsip_ringdesk.conf, included by pjsip.conf) and the baseline's queue (queues_bench.conf,
| included by queues.conf).
*/

export interface BenchAsteriskSettings {
  sandbox: string
  instance: string
  ariPort: number
  sipPort: number
  rtpStart: number
  rtpEnd: number
  app: string
  username: string
  password: string
}

export interface RunningAsterisk {
  pid: number
  ariUrl: string
  recordingDir: string
}

/** The address the baseline's callers come from: it identifies them as the baseline trunk. */
export const BASELINE_CALLER_IP = '127.0.0.2'
export const BASELINE_QUEUE = 'bench-baseline'

function root() {
  return process.env.RINGDESK_ASTERISK_ROOT ?? '/var/cache/ringdesk/asterisk-root'
}

export default class BenchAsterisk {
  constructor(private settings: BenchAsteriskSettings) {}

  get ariUrl() {
    return `http://127.0.0.1:${this.settings.ariPort}`
  }

  get configDir() {
    return join(root(), 'etc', `asterisk-${this.settings.instance}`)
  }

  #env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      ARI_PORT: String(this.settings.ariPort),
      SIP_PORT: String(this.settings.sipPort),
      RTP_START: String(this.settings.rtpStart),
      RTP_END: String(this.settings.rtpEnd),
      ARI_APP: this.settings.app,
      ARI_USERNAME: this.settings.username,
      ARI_PASSWORD: this.settings.password,
    }
  }

  async #sandbox(args: string[], timeout = 90_000) {
    try {
      return await execFileAsync(this.settings.sandbox, args, {
        env: this.#env(),
        timeout,
        maxBuffer: 4 * 1024 * 1024,
      })
    } catch (error) {
      const failure = error as Error & { stderr?: string }
      throw new Error(`asterisk/sandbox ${args.join(' ')}: ${failure.stderr || failure.message}`)
    }
  }

  /**
   * Writes the bench-only config: the baseline callers' trunk (from 127.0.0.2, into the
   * [bench-baseline] dial plan) and the baseline queue with every bench agent as a member.
   */
  async writeConfig(agentEndpoints: string[]) {
    await mkdir(this.configDir, { recursive: true })
    const pjsip = [
      '; Written by `npm run bench:calls` (bench/calls/asterisk.ts) for the bench instance only.',
      `[${BASELINE_QUEUE}]`,
      'type = endpoint',
      'transport = transport-udp',
      'context = bench-baseline',
      'disallow = all',
      'allow = alaw,ulaw',
      'direct_media = no',
      'rtp_symmetric = yes',
      'dtmf_mode = rfc4733',
      'trust_id_inbound = yes',
      '',
      `[${BASELINE_QUEUE}]`,
      'type = identify',
      `endpoint = ${BASELINE_QUEUE}`,
      `match = ${BASELINE_CALLER_IP}`,
      '',
    ]
    // The same agents as Ringdesk's run, longest idle first like its queue; no wrap-up.
    const queues = [
      '; Written by `npm run bench:calls` (bench/calls/asterisk.ts) for the bench instance only.',
      `[${BASELINE_QUEUE}]`,
      'strategy = leastrecent',
      'timeout = 30',
      'retry = 1',
      'wrapuptime = 0',
      'ringinuse = no',
      'musicclass = default',
      ...agentEndpoints.map((endpoint) => `member => PJSIP/${endpoint}`),
      '',
    ]
    await writeFile(join(this.configDir, 'pjsip_ringdesk.conf'), pjsip.join('\n'))
    await writeFile(join(this.configDir, 'queues_bench.conf'), queues.join('\n'))
  }

  /** Stops the instance if it runs and starts it again: a fresh process for each run. */
  async restart(): Promise<RunningAsterisk> {
    await this.stop()
    await this.#sandbox(['ensure'], 600_000)
    const { stdout } = await this.#sandbox(['start', this.settings.instance])
    const status = Object.fromEntries(
      stdout
        .split('\n')
        .map((line) => line.match(/^([a-z_]+)=(.*)$/))
        .filter((m): m is RegExpMatchArray => m !== null)
        .map((m) => [m[1], m[2]])
    )
    const pid = Number(status.pid)
    if (!pid) throw new Error(`bench Asterisk did not report its pid:\n${stdout}`)
    return { pid, ariUrl: this.ariUrl, recordingDir: status.recording_dir }
  }

  async stop() {
    await this.#sandbox(['stop', this.settings.instance], 30_000)
  }

  /** For an interrupted run: stop the instance before the process exits. */
  stopNow() {
    spawnSync(this.settings.sandbox, ['stop', this.settings.instance], {
      env: this.#env(),
      timeout: 15_000,
      stdio: 'ignore',
    })
  }

  /** One CLI command (e.g. `core show channels count`). */
  async cli(command: string) {
    const { stdout } = await this.#sandbox(['cli', this.settings.instance, command], 15_000)
    return stdout
  }
}

/** Removes the WAV files a previous run left in the instance's recording directory. */
export async function clearRecordings(dir: string) {
  for (const name of await readdir(dir).catch(() => [])) {
    if (name.endsWith('.wav')) await rm(join(dir, name), { force: true })
  }
}

/** WAV files in `dir` whose name starts with `prefix` and that hold more than a header. */
export async function countRecordings(dir: string, prefix = '') {
  let count = 0
  for (const name of await readdir(dir).catch(() => [])) {
    if (!name.startsWith(prefix) || !name.endsWith('.wav')) continue
    const info = await stat(join(dir, name)).catch(() => null)
    if (info && info.size > 44) count++
  }
  return count
}
