import { spawn, type ChildProcess } from 'node:child_process'
import { createConnection } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

/**
 * A Redis server of the test run's own (port from REDIS_PORT in .env.test), so tests can stop
 * and restart it to prove the app survives an outage without touching the machine's Redis.
 */
export class TestRedis {
  #process: ChildProcess | null = null

  constructor(public port: number) {}

  async #listening() {
    return new Promise<boolean>((resolve) => {
      const socket = createConnection({ port: this.port, host: '127.0.0.1' })
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
  }

  async start() {
    if (await this.#listening()) return
    this.#process = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' }
    )
    for (let i = 0; i < 100; i++) {
      if (await this.#listening()) return
      await sleep(50)
    }
    throw new Error(
      `redis-server did not start on port ${this.port} (is the redis-server package installed?)`
    )
  }

  async stop() {
    const proc = this.#process
    if (!proc) return
    this.#process = null
    const exited = new Promise((resolve) => proc.once('exit', resolve))
    proc.kill('SIGTERM')
    await exited
  }
}
