import { spawn, type ChildProcess } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import AgentDevice from '#models/agent_device'
import AgentState from '#models/agent_state'
import type User from '#models/user'
import { makeUser } from '#tests/helpers/accounts'

/*
| A small branch for call tests: two queues (Sales longest-idle, Support skills-based), three
| agents whose phones are SIPp instances reached at static contacts, a two-level IVR and a route.
*/

export const DID = '4008001000'
let phonePort = 15800 + Number(process.env.TEST_SLOT ?? 0) * 100
const phones = new Set<ChildProcess>()

export interface Fixture {
  sales: number
  support: number
  fluent: User
  beginner: User
  salesAgent: User
}

/** A SIPp phone that answers one call and echoes its audio back. */
export function startPhone(port: number): ChildProcess {
  const phone = spawn(
    'sipp',
    [
      '-sn',
      'uas',
      '-rtp_echo',
      // Answer Asterisk's OPTIONS (qualify) itself: SIPp's uas would count one as its only call.
      '-aa',
      '-i',
      '127.0.0.1',
      '-p',
      String(port),
      '-m',
      '1',
      '-timeout',
      '60s',
    ],
    { stdio: 'ignore' }
  )
  phones.add(phone)
  phone.once('exit', () => phones.delete(phone))
  return phone
}

/** Stops the phones this run started (and only those: another run may have its own). */
export async function stopPhones() {
  for (const phone of phones) phone.kill('SIGKILL')
  phones.clear()
  await sleep(200)
}

async function agentWithPhone(name: string) {
  const user = await makeUser('agent', { fullName: name })
  const port = phonePort++
  const device = new AgentDevice()
  device.userId = user.id
  device.endpoint = `t-${user.id}`
  device.transport = 'udp'
  device.setSipPassword(`pw-${user.id}-${Date.now()}`)
  await device.save()
  device.staticContact = `sip:${device.endpoint}@127.0.0.1:${port}`
  await device.save()
  await AgentState.updateOrCreate(
    { userId: user.id },
    { state: 'available', since: DateTime.utc().minus({ minutes: 5 }) }
  )
  return { user, port }
}

export async function seed(did = DID): Promise<Fixture & { ports: Record<number, number> }> {
  const now = DateTime.utc().toFormat(db.connection().dialect.dateTimeFormat)
  const [skill] = await db
    .table('skills')
    .insert({ name: `mandarin-${Date.now()}`, created_at: now, updated_at: now })
    .returning('id')
  const skillId = Number(typeof skill === 'object' ? skill.id : skill)
  const queue = async (name: string, strategy: string, requiredSkillId: number | null) => {
    const [row] = await db
      .table('queues')
      .insert({
        name: `${name}-${Date.now()}`,
        strategy,
        required_skill_id: requiredSkillId,
        required_skill_level: 1,
        priority: 0,
        ring_timeout_seconds: 4,
        wrap_up_seconds: 1,
        max_wait_seconds: 120,
        overflow_action: 'hangup',
        announce_every_seconds: 0,
        music_on_hold: 'default',
        recording_retention_days: 30,
        service_level_seconds: 20,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
    return Number(typeof row === 'object' ? row.id : row)
  }
  const sales = await queue('Sales', 'longest_idle', null)
  const support = await queue('Support', 'skills_based', skillId)

  const fluent = await agentWithPhone('Fluent 流利')
  const beginner = await agentWithPhone('Beginner 初级')
  const salesAgent = await agentWithPhone('Sales 销售')
  for (const [queueId, userId] of [
    [support, fluent.user.id],
    [support, beginner.user.id],
    [sales, salesAgent.user.id],
  ]) {
    await db
      .table('queue_agents')
      .insert({ queue_id: queueId, user_id: userId, penalty: 0, created_at: now })
  }
  await db.table('agent_skills').insert([
    { user_id: fluent.user.id, skill_id: skillId, level: 9, created_at: now, updated_at: now },
    { user_id: beginner.user.id, skill_id: skillId, level: 3, created_at: now, updated_at: now },
  ])

  const menu = (options: Array<[string, string]>, sound: string) => ({
    type: 'menu',
    prompt: { kind: 'builtin', sound },
    options: options.map(([digit, next]) => ({ digit, next })),
    timeoutSeconds: 6,
    maxRetries: 1,
    onTimeout: 'bye',
    onInvalid: 'bye',
  })
  const nodes = {
    root: menu(
      [
        ['1', 'to_sales'],
        ['2', 'support'],
      ],
      'hello-world'
    ),
    support: menu(
      [
        ['1', 'to_support'],
        ['2', 'to_sales'],
      ],
      'demo-congrats'
    ),
    to_sales: { type: 'queue', queueId: String(sales) },
    to_support: { type: 'queue', queueId: String(support) },
    bye: { type: 'hangup' },
  }
  const [flow] = await db
    .table('ivr_flows')
    .insert({
      name: `Main ${Date.now()}`,
      entry_node: 'root',
      nodes: JSON.stringify(nodes),
      version: 1,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
  const flowId = Number(typeof flow === 'object' ? flow.id : flow)
  await db.table('inbound_routes').insert({
    name: `Hotline ${Date.now()}`,
    did_pattern: did,
    priority: 100,
    target_type: 'ivr',
    target_id: flowId,
    enabled: true,
    created_at: now,
    updated_at: now,
  })
  return {
    sales,
    support,
    fluent: fluent.user,
    beginner: beginner.user,
    salesAgent: salesAgent.user,
    ports: {
      [fluent.user.id]: fluent.port,
      [beginner.user.id]: beginner.port,
      [salesAgent.user.id]: salesAgent.port,
    },
  }
}

export async function waitFor<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms: number) {
  const until = Date.now() + ms
  let value = await read()
  while (!ok(value) && Date.now() < until) {
    await sleep(200)
    value = await read()
  }
  return value
}
