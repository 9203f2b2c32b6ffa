import { writeFile, mkdir } from 'node:fs/promises'
import { BaseSeeder } from '@adonisjs/lucid/seeders'
import app from '@adonisjs/core/services/app'
import Team from '#models/team'
import User from '#models/user'
import audit from '#services/audit_service'
import type { Role } from '#app/auth/roles'

/** Demo password for every demo account: long, not on the common list, printed by `start`. */
export const DEMO_PASSWORD = 'Ringdesk-demo-2026'

const TEAMS = [
  { name: 'Sales Shanghai', description: '上海销售一组' },
  { name: 'Support Beijing', description: '北京客服二组' },
]

const USERS: Array<{ email: string; fullName: string; role: Role; team?: string; locale: string }> =
  [
    { email: 'admin@ringdesk.local', fullName: '王磊 (Admin)', role: 'admin', locale: 'zh-CN' },
    {
      email: 'supervisor@ringdesk.local',
      fullName: '李娜 (Supervisor)',
      role: 'supervisor',
      locale: 'zh-CN',
    },
    {
      email: 'lead@ringdesk.local',
      fullName: '张伟 (Team lead)',
      role: 'team_lead',
      team: 'Sales Shanghai',
      locale: 'zh-CN',
    },
    {
      email: 'agent@ringdesk.local',
      fullName: '刘洋 (Agent)',
      role: 'agent',
      team: 'Sales Shanghai',
      locale: 'zh-CN',
    },
    {
      email: 'agent2@ringdesk.local',
      fullName: '陈静 (Agent)',
      role: 'agent',
      team: 'Sales Shanghai',
      locale: 'zh-CN',
    },
    {
      email: 'agent3@ringdesk.local',
      fullName: 'Emily Zhao (Agent)',
      role: 'agent',
      team: 'Support Beijing',
      locale: 'en',
    },
  ]

/**
 * The demo branch. Idempotent: `bin/ringdesk start` runs it on every start and it only creates
 * what is missing, never resetting a password someone changed.
 */
export default class MainSeeder extends BaseSeeder {
  // Never in production: demo accounts share a published password.
  static environment = ['development']

  async run() {
    const teams = new Map<string, Team>()
    for (const t of TEAMS) {
      teams.set(t.name, await Team.firstOrCreate({ name: t.name }, t))
    }
    for (const u of USERS) {
      const existing = await User.findBy('email', u.email)
      if (existing) continue
      const user = await User.create({
        email: u.email,
        fullName: u.fullName,
        role: u.role,
        teamId: u.team ? teams.get(u.team)!.id : null,
        locale: u.locale,
        password: DEMO_PASSWORD,
        isDisabled: false,
      })
      await audit.record({
        action: 'user.created',
        actor: { id: null, label: 'seeder' },
        target: { type: 'user', id: user.id, label: user.email },
        after: { email: user.email, role: user.role, teamId: user.teamId },
      })
    }
    await mkdir(app.makePath('storage'), { recursive: true })
    await writeFile(
      app.makePath('storage', 'demo-credentials.txt'),
      [
        `Demo password for every account: ${DEMO_PASSWORD}`,
        ...USERS.map((u) => `  ${u.role.padEnd(10)} ${u.email}`),
        'Admin and supervisor must set up two-step sign-in (TOTP) at first sign-in.',
        '',
      ].join('\n'),
      { mode: 0o600 }
    )
  }
}
