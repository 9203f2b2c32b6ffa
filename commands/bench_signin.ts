import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import User from '#models/user'
import settings from '#services/settings_service'
import { HttpAgent } from '#tests/helpers/http_agent'
import { summarize } from '#bench/stats'

/**
 * N users sign in at the same moment against a real server process (argon2id is deliberately
 * slow), while a probe keeps requesting /health: the probe's latency shows whether the server
 * stays responsive during the storm.
 */
export default class BenchSignin extends BaseCommand {
  static commandName = 'bench:signin'
  static description = 'Benchmark concurrent sign-ins and server responsiveness meanwhile'
  static options: CommandOptions = { startApp: true }

  @flags.number({ description: 'Concurrent sign-ins', default: 20 })
  declare concurrency: number

  @flags.number({ description: 'Rounds of concurrent sign-ins', default: 3 })
  declare rounds: number

  async run() {
    const port = 3390
    const password = 'Bench-passphrase-2026'
    await settings.saveSecurity({
      ...(await settings.security()),
      mfaRequired: { admin: false, supervisor: false, team_lead: false, agent: false },
    })
    const users: User[] = []
    for (let i = 0; i < this.concurrency; i++) {
      const email = `bench${i}@bench.local`
      const user =
        (await User.findBy('email', email)) ??
        (await User.create({
          email,
          fullName: `Bench ${i}`,
          role: 'agent',
          locale: 'en',
          password,
          isDisabled: false,
        }))
      users.push(user)
    }

    const server = spawn(process.execPath, ['--import=@poppinss/ts-exec', 'bin/server.ts'], {
      env: { ...process.env, PORT: String(port), NODE_ENV: 'production', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    })
    try {
      for (let i = 0; i < 100; i++) {
        const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
          (r) => r.ok || r.status === 503,
          () => false
        )
        if (ok) break
        await sleep(100)
      }
      const signIn: number[] = []
      const probe: number[] = []
      let failures = 0
      for (let round = 0; round < this.rounds; round++) {
        const agents = users.map(
          (_, i) =>
            new HttpAgent(
              `bench-${round}-${i}`,
              `10.77.${round}.${i + 1}`,
              `http://127.0.0.1:${port}`
            )
        )
        await Promise.all(agents.map((a) => a.visit('/sign-in')))
        let storm = true
        const probing = (async () => {
          while (storm) {
            const t0 = performance.now()
            await fetch(`http://127.0.0.1:${port}/health`)
            probe.push(performance.now() - t0)
            await sleep(25)
          }
        })()
        await Promise.all(
          agents.map(async (a, i) => {
            const t0 = performance.now()
            const res = await a.post('/sign-in', { email: users[i].email, password })
            signIn.push(performance.now() - t0)
            if (res.location !== '/') failures++
          })
        )
        storm = false
        await probing
      }
      const s = summarize(signIn)
      const p = summarize(probe)
      this.logger.info(
        `sign-in: ${this.rounds} rounds × ${this.concurrency} concurrent, ${failures} failed`
      )
      this.logger.info(`  sign-in latency   p50 ${s.p50} ms  p95 ${s.p95} ms  max ${s.max} ms`)
      this.logger.info(
        `  /health meanwhile p50 ${p.p50} ms  p95 ${p.p95} ms  max ${p.max} ms  (${p.n} probes)`
      )
      if (failures) this.exitCode = 1
    } finally {
      server.kill('SIGTERM')
    }
  }
}
