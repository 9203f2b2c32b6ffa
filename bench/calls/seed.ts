import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import AgentDevice from '#models/agent_device'
import AgentState from '#models/agent_state'
import InboundRoute from '#models/inbound_route'
import IvrFlow, { type IvrNodes } from '#models/ivr_flow'
import Queue from '#models/queue'
import QueueAgent from '#models/queue_agent'

/*
| The branch a load run calls into: one inbound route (the bench DID) → an IVR with one menu
| ("press 1", the same prompt as the baseline's dial plan) → one queue (longest idle, no wrap-up,
| a generous ring timeout) → N agents whose phones are SIPp processes reached at static contacts.
| Idempotent: a second run on the same database reuses what is there.
*/

export const BENCH_DID = '4008009000'
/** The prompt of the menu in both runs (Asterisk core sound). */
export const MENU_PROMPT = 'hello-world'

export interface BenchBranch {
  queueId: number
  agents: Array<{ userId: number; endpoint: string }>
}

export async function seedBench(options: {
  agents: number
  phonePorts: number[]
}): Promise<BenchBranch> {
  const now = DateTime.utc()
  const stamp = now.toFormat(db.connection().dialect.dateTimeFormat)
  const queue = await Queue.firstOrCreate(
    { name: 'Bench 压测' },
    {
      strategy: 'longest_idle',
      requiredSkillId: null,
      requiredSkillLevel: 1,
      priority: 0,
      ringTimeoutSeconds: 30,
      wrapUpSeconds: 0,
      maxWaitSeconds: 600,
      overflowAction: 'hangup',
      overflowTarget: null,
      announceEverySeconds: 0,
      musicOnHold: 'default',
      recordingRetentionDays: 1,
      serviceLevelSeconds: 20,
    }
  )

  const agents: BenchBranch['agents'] = []
  for (let i = 1; i <= options.agents; i++) {
    const email = `bench-agent-${i}@bench.local`
    let user = await db.from('users').where('email', email).first()
    if (!user) {
      // Never signs in: no password hash to compute (argon2id would take minutes for 200).
      await db.table('users').insert({
        full_name: `Bench agent ${i}`,
        email,
        password: '!bench-agent-cannot-sign-in',
        role: 'agent',
        locale: 'en',
        is_disabled: false,
        created_at: stamp,
        updated_at: stamp,
      })
      user = await db.from('users').where('email', email).first()
    }
    const userId = Number(user.id)
    const endpoint = `bench-${String(i).padStart(3, '0')}`
    const port = options.phonePorts[(i - 1) % options.phonePorts.length]
    let device = await AgentDevice.findBy('user_id', userId)
    if (!device) {
      device = new AgentDevice()
      device.fill({ userId, endpoint, transport: 'udp' })
      device.setSipPassword(`bench-${i}-${now.toMillis()}`)
    }
    device.staticContact = `sip:${endpoint}@127.0.0.1:${port}`
    await device.save()
    await QueueAgent.firstOrCreate({ queueId: queue.id, userId }, { penalty: 0 })
    agents.push({ userId, endpoint: device.endpoint })
  }
  await makeAvailable(agents.map((a) => a.userId))

  const nodes = {
    menu: {
      type: 'menu',
      prompt: { kind: 'builtin', sound: MENU_PROMPT },
      options: [{ digit: '1', next: 'queue' }],
      timeoutSeconds: 6,
      maxRetries: 0,
      onTimeout: 'bye',
      onInvalid: 'bye',
    },
    queue: { type: 'queue', queueId: String(queue.id) },
    bye: { type: 'hangup' },
  } as unknown as IvrNodes
  const flow = await IvrFlow.updateOrCreate(
    { name: 'Bench menu 压测菜单' },
    { entryNode: 'menu', nodes, version: 1, updatedBy: null }
  )
  await InboundRoute.updateOrCreate(
    { name: `Bench ${BENCH_DID}` },
    {
      didPattern: BENCH_DID,
      callerPattern: null,
      priority: 1000,
      targetType: 'ivr',
      targetId: flow.id,
      calendarId: null,
      closedTargetType: null,
      closedTargetId: null,
      enabled: true,
    }
  )
  return { queueId: queue.id, agents }
}

/**
 * Every bench agent available, idle for the same time: a run starts from the same state
 * whatever the previous one left (missed, wrap-up).
 */
export async function makeAvailable(userIds: number[]) {
  const since = DateTime.utc().minus({ minutes: 5 })
  for (const userId of userIds) {
    await AgentState.updateOrCreate(
      { userId },
      { state: 'available', reason: null, since, updatedBy: null }
    )
  }
}
