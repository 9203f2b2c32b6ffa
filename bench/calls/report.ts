import type { summarize } from '#bench/stats'

/*
| What one measured run produced, the table of both runs side by side, and the targets of
| issue 3 checked against them.
*/

export type Summary = ReturnType<typeof summarize>

export interface RunResult {
  label: string
  attempted: number
  sippSuccessful: number
  sippFailed: number
  /** Customers who finished their call after an agent's phone answered them. */
  completed: number
  /** SIPp's response time "setup": the customer's INVITE → 200 OK (the menu answers). */
  inviteToOk: Summary
  /** The customer's key press (its digit complete) → the agent's phone gets the INVITE. */
  dtmfToRing: Summary
  /** The customer's key press (its digit complete) → the agent's phone answers (200 OK sent). */
  dtmfToAnswer: Summary
  /** Ringdesk only, from call_events: queue_entered → offered, queue_entered → answered. */
  queueToOffer?: Summary
  queueToAnswer?: Summary
  asteriskCpuSeconds: number
  asteriskPeakRssMb: number
  workerCpuSeconds?: number
  workerPeakRssMb?: number
  /** The job worker, which seals the recordings; beside the telephony worker, not in its target. */
  jobWorkerCpuSeconds?: number
  recordings: number
  /** How the recordings were counted, and anything else worth reading next to the figures. */
  notes: string[]
  seconds: number
}

export interface Target {
  name: string
  ok: boolean
  detail: string
}

const pct = (part: number, whole: number) => (whole ? (100 * part) / whole : 0)

export function targetsOf(ours: RunResult, baseline: RunResult | null): Target[] {
  const targets: Target[] = []
  const completedPct = pct(ours.completed, ours.attempted)
  targets.push({
    name: 'completed ≥ 99.9 %',
    ok: completedPct >= 99.9,
    detail: `${ours.completed}/${ours.attempted} = ${completedPct.toFixed(2)} %`,
  })
  targets.push({
    name: "every completed call's recording present",
    ok: ours.recordings >= ours.completed && ours.completed > 0,
    detail: `${ours.recordings} recordings for ${ours.completed} completed calls`,
  })
  if (baseline) {
    for (const [name, key] of [
      ['routing p99 (key press → agent answered) ≤ 3× baseline', 'dtmfToAnswer'],
      ['INVITE → 200 p99 ≤ 3× baseline', 'inviteToOk'],
    ] as const) {
      const limit = 3 * Math.max(1, baseline[key].p99)
      targets.push({
        name,
        ok: ours[key].n > 0 && ours[key].p99 <= limit,
        detail: `${ours[key].p99} ms vs ${baseline[key].p99} ms (limit ${limit} ms)`,
      })
    }
    const cpuLimit = 1.2 * baseline.asteriskCpuSeconds
    targets.push({
      name: 'Asterisk CPU ≤ 1.2× baseline',
      ok: ours.asteriskCpuSeconds <= cpuLimit,
      detail: `${ours.asteriskCpuSeconds.toFixed(1)} s vs ${baseline.asteriskCpuSeconds.toFixed(1)} s (${ratio(ours.asteriskCpuSeconds, baseline.asteriskCpuSeconds)})`,
    })
  }
  if (ours.workerCpuSeconds !== undefined) {
    const share = pct(ours.workerCpuSeconds, ours.asteriskCpuSeconds)
    targets.push({
      name: "telephony worker CPU ≤ 15 % of Asterisk's",
      ok: share <= 15,
      detail: `${ours.workerCpuSeconds.toFixed(1)} s = ${share.toFixed(1)} % of ${ours.asteriskCpuSeconds.toFixed(1)} s`,
    })
  }
  if (ours.workerPeakRssMb !== undefined) {
    targets.push({
      name: 'telephony worker RSS ≤ 250 MB',
      ok: ours.workerPeakRssMb <= 250,
      detail: `peak ${Math.round(ours.workerPeakRssMb)} MB`,
    })
  }
  return targets
}

function ratio(a: number, b: number) {
  return b > 0 ? `${(a / b).toFixed(2)}×` : '–'
}

function latency(s: Summary | undefined) {
  return s && s.n ? `${s.p50} / ${s.p95} / ${s.p99}` : '–'
}

/** The table of both runs (either may be missing) with ratios ours/baseline. */
export function table(ours: RunResult | null, baseline: RunResult | null): string {
  const rows: Array<[string, string, string, string]> = []
  const add = (name: string, a: string, b: string, r = '') => rows.push([name, a, b, r])
  const both = <T>(read: (run: RunResult) => T | undefined, show: (value: T) => string) => {
    const a = ours ? read(ours) : undefined
    const b = baseline ? read(baseline) : undefined
    return [a === undefined ? '–' : show(a), b === undefined ? '–' : show(b)] as const
  }
  const p99Ratio = (key: 'inviteToOk' | 'dtmfToRing' | 'dtmfToAnswer') =>
    ours && baseline ? `p99 ${ratio(ours[key].p99, baseline[key].p99)}` : ''

  add('calls placed', ...both((r) => r.attempted, String))
  add(
    'completed (agent answered, call finished)',
    ...both(
      (r) => r,
      (r) => `${r.completed} (${pct(r.completed, r.attempted).toFixed(1)} %)`
    )
  )
  add(
    'SIPp successful / failed',
    ...both(
      (r) => r,
      (r) => `${r.sippSuccessful} / ${r.sippFailed}`
    )
  )
  add(
    'INVITE → 200, p50/p95/p99 ms (SIPp rtt)',
    ...both((r) => r.inviteToOk, latency),
    p99Ratio('inviteToOk')
  )
  add(
    'key press → agent rung, p50/p95/p99 ms',
    ...both((r) => r.dtmfToRing, latency),
    p99Ratio('dtmfToRing')
  )
  add(
    'key press → agent answered, p50/p95/p99 ms',
    ...both((r) => r.dtmfToAnswer, latency),
    p99Ratio('dtmfToAnswer')
  )
  add('queue_entered → offered, p50/p95/p99 ms', ...both((r) => r.queueToOffer, latency))
  add('queue_entered → answered, p50/p95/p99 ms', ...both((r) => r.queueToAnswer, latency))
  add(
    'Asterisk CPU seconds',
    ...both(
      (r) => r.asteriskCpuSeconds,
      (v) => v.toFixed(1)
    ),
    ours && baseline ? ratio(ours.asteriskCpuSeconds, baseline.asteriskCpuSeconds) : ''
  )
  add(
    'Asterisk peak RSS MB',
    ...both(
      (r) => r.asteriskPeakRssMb,
      (v) => String(Math.round(v))
    )
  )
  add(
    'telephony worker CPU seconds',
    ...both(
      (r) => r.workerCpuSeconds,
      (v) => v.toFixed(1)
    )
  )
  add(
    'telephony worker peak RSS MB',
    ...both(
      (r) => r.workerPeakRssMb,
      (v) => String(Math.round(v))
    )
  )
  add(
    'job worker CPU seconds (sealing)',
    ...both(
      (r) => r.jobWorkerCpuSeconds,
      (v) => v.toFixed(1)
    )
  )
  add('recordings written', ...both((r) => r.recordings, String))
  add(
    'wall time of the run, s',
    ...both(
      (r) => r.seconds,
      (v) => v.toFixed(0)
    )
  )

  const header: [string, string, string, string] = [
    '',
    ours?.label ?? 'Ringdesk',
    baseline?.label ?? 'baseline',
    'ours/baseline',
  ]
  const all = [header, ...rows]
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i].length)))
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ')
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}
