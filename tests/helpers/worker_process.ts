import { spawn, type ChildProcess } from 'node:child_process'
import { hostname } from 'node:os'
import app from '@adonisjs/core/services/app'

/*
| The background workers as real child processes of `node ace`, as they run in production, with
| their output kept for failure messages and for what they say about themselves.
*/

export interface WorkerProcess {
  child: ChildProcess
  /** "host:pid", as the worker names itself in its heartbeat and its lock. */
  instance: string
  /** Everything it printed (the last 20 000 characters). */
  output(): string
}

const running = new Set<ChildProcess>()

export function startWorker(command: string, env: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, ['ace.js', command], {
    cwd: app.makePath(),
    env: { ...process.env, NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.add(child)
  child.once('exit', () => running.delete(child))
  let output = ''
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000))
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  return { child, instance: `${hostname()}:${child.pid}`, output: () => output }
}

/** SIGTERM (a clean shutdown), SIGKILL after 10 s; resolves when the process has exited. */
export async function stopWorker(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}

/** Stops every worker this test run started and that still runs. */
export async function stopAllWorkers() {
  await Promise.all([...running].map((child) => stopWorker(child)))
}
