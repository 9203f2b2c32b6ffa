import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'

/*
| The processes a load run starts (SIPp, the telephony worker, Redis), with a way to stop every
| one of them — by pid, ours only — however the run ends, and what /proc says about a process.
*/

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100

export interface ProcessUsage {
  /** User + system CPU of the whole process (all threads), in seconds. */
  cpuSeconds: number
  /** Resident set now and at its peak (VmHWM), in MB. */
  rssMb: number
  peakRssMb: number
}

/** CPU and memory of a live process from /proc; null once it is gone. */
export async function usageOf(pid: number): Promise<ProcessUsage | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(fields[11]) + Number(fields[12])
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    const kb = (name: string) => Number(status.match(new RegExp(`^${name}:\\s+(\\d+)`, 'm'))?.[1])
    return {
      cpuSeconds: ticks / CLOCK_TICKS,
      rssMb: kb('VmRSS') / 1024,
      peakRssMb: kb('VmHWM') / 1024,
    }
  } catch {
    return null
  }
}

/** Children of this run: stopped at the end, or at once on Ctrl-C, by their own pids. */
export class ProcessGroup {
  #children = new Set<ChildProcess>()
  #finalizers: Array<() => void> = []
  #onSignal = () => {
    this.killAllNow()
    process.exit(130)
  }

  constructor() {
    process.once('SIGINT', this.#onSignal)
    process.once('SIGTERM', this.#onSignal)
  }

  /** Something to undo synchronously if the run is interrupted (e.g. stop Asterisk). */
  onInterrupt(finalizer: () => void) {
    this.#finalizers.push(finalizer)
  }

  spawn(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
    const child = spawn(command, args, { stdio: 'ignore', ...options })
    this.#children.add(child)
    child.once('exit', () => this.#children.delete(child))
    child.once('error', () => this.#children.delete(child))
    return child
  }

  /**
   * SIGTERM, then SIGKILL after `graceMs` if it is still there; resolves once it has exited, with
   * how long that took and whether it had to be killed.
   */
  async stop(child: ChildProcess, graceMs = 5_000) {
    if (child.exitCode !== null || child.signalCode !== null || !child.pid) {
      return { ms: 0, killed: false }
    }
    const started = Date.now()
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    let killed = false
    const timer = setTimeout(() => {
      killed = true
      child.kill('SIGKILL')
    }, graceMs)
    await exited
    clearTimeout(timer)
    return { ms: Date.now() - started, killed }
  }

  async stopAll() {
    await Promise.all([...this.#children].map((child) => this.stop(child)))
    process.off('SIGINT', this.#onSignal)
    process.off('SIGTERM', this.#onSignal)
  }

  killAllNow() {
    for (const child of this.#children) child.kill('SIGKILL')
    for (const finalizer of this.#finalizers.splice(0)) {
      try {
        finalizer()
      } catch {
        // Best effort on the way out.
      }
    }
  }
}

/** Resolves with the child's exit code; SIGKILLs it after `timeoutMs`. */
export async function waitForExit(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode
  const guard = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const [code] = (await once(child, 'exit')) as [number | null]
  clearTimeout(guard)
  return code
}

/** Polls `check` until it returns true or `timeoutMs` has passed; says which. */
export async function pollUntil(check: () => Promise<boolean>, timeoutMs: number, everyMs = 250) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true
    await sleep(everyMs)
  }
  return false
}
