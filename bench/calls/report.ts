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

/**
 * The table of the runs side by side (any may be missing): Ringdesk, the ARI floor and the
 * baseline, with the p99 and CPU ratios of Ringdesk and of the floor to the baseline.
 */
export function table(
  ours: RunResult | null,
  baseline: RunResult | null,
  floor: RunResult | null = null
): string {
  const runs = [ours, floor, baseline]
  const rows: string[][] = []
  const add = (name: string, cells: string[], ratios: string[] = ['', '']) =>
    rows.push([name, ...cells, ...ratios])
  const each = <T>(read: (run: RunResult) => T | undefined, show: (value: T) => string) =>
    runs.map((run) => {
      const value = run ? read(run) : undefined
      return value === undefined ? '–' : show(value)
    })
  const ratios = (read: (run: RunResult) => number) =>
    [ours, floor].map((run) => (run && baseline ? ratio(read(run), read(baseline)) : ''))
  const p99Ratios = (key: 'inviteToOk' | 'dtmfToRing' | 'dtmfToAnswer') =>
    ratios((run) => run[key].p99).map((r) => (r ? `p99 ${r}` : ''))

  add(
    'calls placed',
    each((r) => r.attempted, String)
  )
  add(
    'completed (agent answered, call finished)',
    each(
      (r) => r,
      (r) => `${r.completed} (${pct(r.completed, r.attempted).toFixed(1)} %)`
    )
  )
  add(
    'SIPp successful / failed',
    each(
      (r) => r,
      (r) => `${r.sippSuccessful} / ${r.sippFailed}`
    )
  )
  add(
    'INVITE → 200, p50/p95/p99 ms (SIPp rtt)',
    each((r) => r.inviteToOk, latency),
    p99Ratios('inviteToOk')
  )
  add(
    'key press → agent rung, p50/p95/p99 ms',
    each((r) => r.dtmfToRing, latency),
    p99Ratios('dtmfToRing')
  )
  add(
    'key press → agent answered, p50/p95/p99 ms',
    each((r) => r.dtmfToAnswer, latency),
    p99Ratios('dtmfToAnswer')
  )
  add(
    'queue_entered → offered, p50/p95/p99 ms',
    each((r) => r.queueToOffer, latency)
  )
  add(
    'queue_entered → answered, p50/p95/p99 ms',
    each((r) => r.queueToAnswer, latency)
  )
  add(
    'Asterisk CPU seconds',
    each(
      (r) => r.asteriskCpuSeconds,
      (v) => v.toFixed(1)
    ),
    ratios((r) => r.asteriskCpuSeconds)
  )
  add(
    'Asterisk peak RSS MB',
    each(
      (r) => r.asteriskPeakRssMb,
      (v) => String(Math.round(v))
    )
  )
  add(
    'telephony worker (floor: router) CPU s',
    each(
      (r) => r.workerCpuSeconds,
      (v) => v.toFixed(1)
    )
  )
  add(
    'telephony worker (floor: router) RSS MB',
    each(
      (r) => r.workerPeakRssMb,
      (v) => String(Math.round(v))
    )
  )
  add(
    'job worker CPU seconds (sealing)',
    each(
      (r) => r.jobWorkerCpuSeconds,
      (v) => v.toFixed(1)
    )
  )
  add(
    'recordings written',
    each((r) => r.recordings, String)
  )
  add(
    'wall time of the run, s',
    each(
      (r) => r.seconds,
      (v) => v.toFixed(0)
    )
  )

  const header = [
    '',
    ours?.label ?? 'Ringdesk',
    floor?.label ?? 'ARI floor',
    baseline?.label ?? 'baseline',
    'ours/baseline',
    'floor/baseline',
  ]
  const all = [header, ...rows]
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i].length)))
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ')
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

/**
 * Not targets: where Ringdesk's routing tail stands against the least any ARI application costs
 * on this machine (the floor), and the floor against the baseline.
 */
export function floorComparison(
  ours: RunResult | null,
  floor: RunResult,
  baseline: RunResult | null
) {
  const lines: string[] = []
  for (const [name, key] of [
    ['key press → agent answered p99', 'dtmfToAnswer'],
    ['INVITE → 200 p99', 'inviteToOk'],
  ] as const) {
    const parts = [`ARI floor ${floor[key].p99} ms`]
    if (baseline) parts.push(`${ratio(floor[key].p99, baseline[key].p99)} the baseline's`)
    if (ours)
      parts.push(
        `Ringdesk ${ours[key].p99} ms = ${ratio(ours[key].p99, floor[key].p99)} the floor's`
      )
    lines.push(`${name}: ${parts.join('; ')}`)
  }
  return lines
}
