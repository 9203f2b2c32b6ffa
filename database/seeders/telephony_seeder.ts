import { readFile, writeFile } from 'node:fs/promises'
import { BaseSeeder } from '@adonisjs/lucid/seeders'
import app from '@adonisjs/core/services/app'
import User from '#models/user'
import Calendar, { WEEKDAYS } from '#models/calendar'
import Prompt from '#models/prompt'
import Skill from '#models/skill'
import Queue from '#models/queue'
import QueueAgent from '#models/queue_agent'
import AgentSkill from '#models/agent_skill'
import AgentDevice from '#models/agent_device'
import BreakReason from '#models/break_reason'
import IvrFlow, { type IvrNodes } from '#models/ivr_flow'
import IvrFlowVersion from '#models/ivr_flow_version'
import InboundRoute from '#models/inbound_route'
import audit from '#services/audit_service'
import { newSipPassword } from '#actions/telephony_config/save_agent_device'
import MainSeeder from '#database/seeders/main_seeder'

const SEEDER = { id: null, label: 'seeder' }
const DID = '4008001000'
const CREDENTIALS_MARK = '# Agent phones (SIP)'

/** Core Asterisk sounds standing in for real prompts until an admin uploads the branch's own. */
const PROMPTS = [
  { name: 'Welcome 欢迎语 (placeholder)', sound: 'hello' },
  { name: 'Main menu 主菜单 (placeholder)', sound: 'demo-instruct' },
  { name: 'Language menu 语言菜单 (placeholder)', sound: 'demo-moreinfo' },
  { name: 'Invalid key 按键无效', sound: 'please-try-again' },
  { name: 'Goodbye 再见', sound: 'vm-goodbye' },
]

const BREAK_REASONS = [
  { code: 'lunch', dialCode: '1', nameEn: 'Lunch', nameZhCn: '午餐' },
  { code: 'training', dialCode: '2', nameEn: 'Training', nameZhCn: '培训' },
  { code: 'meeting', dialCode: '3', nameEn: 'Meeting', nameZhCn: '会议' },
]

/** Demo agents (from MainSeeder): queues they serve and their skill levels. */
const AGENTS: Array<{ email: string; queues: string[]; skills: Record<string, number> }> = [
  { email: 'agent@ringdesk.local', queues: ['Sales 销售'], skills: { mandarin: 9 } },
  {
    email: 'agent2@ringdesk.local',
    queues: ['Sales 销售', 'Support 售后'],
    skills: { mandarin: 8, english: 5 },
  },
  {
    email: 'agent3@ringdesk.local',
    queues: ['Support 售后'],
    skills: { english: 9, mandarin: 4 },
  },
]

const builtin = (sound: string) => ({ kind: 'builtin' as const, sound })

function menu(sound: string, options: Array<[string, string]>, onTimeout: string) {
  return {
    type: 'menu' as const,
    prompt: builtin(sound),
    options: options.map(([digit, next]) => ({ digit, next })),
    timeoutSeconds: 6,
    maxRetries: 2,
    invalidPrompt: builtin('please-try-again'),
    onTimeout,
    onInvalid: 'goodbye',
  }
}

/**
 * "1 for sales, 2 for support, 9 to repeat"; support asks "1 Mandarin, 2 English". The language
 * travels as `requiredSkill` on the queue node, for the ACD's skills_based matching (QueuedCall
 * .requiredSkill); the IVR engine's QueueNode does not carry it yet and ignores it.
 */
function demoNodes(sales: Queue, support: Queue): IvrNodes {
  const nodes = {
    welcome: { type: 'play', prompt: builtin('hello'), next: 'main' },
    main: menu(
      'demo-instruct',
      [
        ['1', 'sales'],
        ['2', 'support_language'],
        ['9', 'main'],
      ],
      'sales'
    ),
    support_language: menu(
      'demo-moreinfo',
      [
        ['1', 'support_mandarin'],
        ['2', 'support_english'],
        ['9', 'support_language'],
      ],
      'support_mandarin'
    ),
    sales: { type: 'queue', queueId: String(sales.id) },
    support_mandarin: { type: 'queue', queueId: String(support.id), requiredSkill: 'mandarin' },
    support_english: { type: 'queue', queueId: String(support.id), requiredSkill: 'english' },
    goodbye: { type: 'play', prompt: builtin('vm-goodbye'), next: 'hang_up' },
    hang_up: { type: 'hangup' },
  }
  return nodes as unknown as IvrNodes
}

/**
 * The demo call center: opening hours, the Sales and Support queues, skills, break reasons, a
 * phone for each demo agent, the IVR and the hotline's inbound route. Idempotent: it creates what
 * is missing and never overwrites what an admin changed. Runs after MainSeeder (the demo users).
 */
export default class TelephonySeeder extends BaseSeeder {
  static environment = ['development', 'production']

  async run() {
    if (!(await User.findBy('email', AGENTS[0].email))) await new MainSeeder(this.client).run()

    const calendar = await this.#created(
      'calendar',
      await Calendar.firstOrNew(
        { name: 'Office hours 工作时间' },
        {
          timeZone: 'Asia/Shanghai',
          weekly: Object.fromEntries(
            WEEKDAYS.map((d) => [
              d,
              ['sat', 'sun'].includes(d) ? [] : [{ start: '09:00', end: '18:00' }],
            ])
          ),
          holidays: [],
          workdayOverrides: [],
        }
      )
    )

    for (const p of PROMPTS) {
      await this.#created(
        'prompt',
        await Prompt.firstOrNew({ name: p.name }, { kind: 'builtin', sound: p.sound })
      )
    }

    const skills = new Map<string, Skill>()
    for (const name of ['mandarin', 'english']) {
      skills.set(name, await this.#created('skill', await Skill.firstOrNew({ name }, {})))
    }

    const defaults = {
      requiredSkillId: null,
      requiredSkillLevel: 1,
      priority: 0,
      ringTimeoutSeconds: 20,
      wrapUpSeconds: 15,
      maxWaitSeconds: 300,
      overflowAction: 'voicemail' as const,
      overflowTarget: null,
      announceEverySeconds: 60,
      musicOnHold: 'default',
      recordingRetentionDays: 180,
      serviceLevelSeconds: 20,
    }
    const sales = await this.#created(
      'queue',
      await Queue.firstOrNew({ name: 'Sales 销售' }, { ...defaults, strategy: 'longest_idle' })
    )
    const support = await this.#created(
      'queue',
      await Queue.firstOrNew(
        { name: 'Support 售后' },
        { ...defaults, strategy: 'skills_based', priority: 10 }
      )
    )
    const queues = new Map([
      [sales.name, sales],
      [support.name, support],
    ])

    const phones: string[] = []
    for (const a of AGENTS) {
      const user = await User.findBy('email', a.email)
      if (!user) continue
      for (const name of a.queues) {
        await QueueAgent.firstOrCreate(
          { queueId: queues.get(name)!.id, userId: user.id },
          { penalty: 0 }
        )
      }
      for (const [name, level] of Object.entries(a.skills)) {
        await AgentSkill.firstOrCreate(
          { userId: user.id, skillId: skills.get(name)!.id },
          { level }
        )
      }
      let device = await AgentDevice.findBy('user_id', user.id)
      if (!device) {
        device = new AgentDevice()
        device.fill({ userId: user.id, endpoint: String(1000 + user.id), transport: 'udp' })
        device.setSipPassword(newSipPassword())
        await device.save()
        await audit.record({
          action: 'agent_device.created',
          actor: SEEDER,
          target: { type: 'agent_device', id: device.id, label: device.endpoint },
          after: { userId: user.id, endpoint: device.endpoint, transport: device.transport },
        })
      }
      phones.push(`  ${a.email.padEnd(24)} ${device.endpoint.padEnd(8)} ${device.sipPassword()}`)
    }

    for (const r of BREAK_REASONS) {
      await this.#created(
        'break_reason',
        await BreakReason.firstOrNew({ code: r.code }, { ...r, active: true }),
        r.code
      )
    }

    let flow = await IvrFlow.findBy('name', 'Hotline 热线')
    if (!flow) {
      flow = await this.#created(
        'ivr_flow',
        new IvrFlow().fill({
          name: 'Hotline 热线',
          entryNode: 'welcome',
          nodes: demoNodes(sales, support),
          version: 1,
          updatedBy: null,
        })
      )
      await IvrFlowVersion.create({
        ivrFlowId: flow.id,
        version: 1,
        entryNode: flow.entryNode,
        nodes: flow.nodes,
        savedBy: null,
      })
    }

    await this.#created(
      'inbound_route',
      await InboundRoute.firstOrNew(
        { name: `Hotline ${DID}` },
        {
          didPattern: DID,
          callerPattern: null,
          priority: 100,
          targetType: 'ivr',
          targetId: flow.id,
          calendarId: calendar.id,
          closedTargetType: 'voicemail',
          closedTargetId: support.id,
          enabled: true,
        }
      )
    )

    await this.#writeCredentials(phones)
  }

  /** Saves a new row (audited as the seeder's doing); an existing one is left as it is. */
  async #created<T extends { $isPersisted: boolean; save(): Promise<unknown>; id: number }>(
    type: string,
    row: T,
    label?: string
  ): Promise<T> {
    if (row.$isPersisted) return row
    await row.save()
    await audit.record({
      action: `${type}.created`,
      actor: SEEDER,
      target: { type, id: row.id, label: label ?? ((row as any).name as string) },
    })
    return row
  }

  /** The demo phones' SIP accounts, beside the demo password (the file is readable by its owner only). */
  async #writeCredentials(phones: string[]) {
    if (phones.length === 0 || app.inTest) return
    const path = app.makePath('storage', 'demo-credentials.txt')
    const existing = await readFile(path, 'utf8').catch(() => '')
    const kept = existing.split(CREDENTIALS_MARK)[0].trimEnd()
    const section = [
      CREDENTIALS_MARK,
      `Softphones register to this server's SIP port (udp) with these accounts; hotline ${DID}.`,
      ...phones,
      '',
    ].join('\n')
    await writeFile(path, (kept ? kept + '\n\n' : '') + section, { mode: 0o600 })
  }
}
