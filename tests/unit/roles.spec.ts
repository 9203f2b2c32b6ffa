import { test } from '@japa/runner'
import { can, PERMISSIONS, ROLE_PERMISSIONS } from '#app/auth/roles'

test.group('Permission matrix', () => {
  test('an admin holds every permission', ({ assert }) => {
    for (const p of PERMISSIONS) assert.isTrue(can('admin', p), p)
  })

  test('an agent holds no administrative permission', ({ assert }) => {
    assert.deepEqual([...ROLE_PERMISSIONS.agent], [])
    assert.isFalse(can('agent', 'users.view'))
  })

  test('only admins manage users, teams and roles', ({ assert }) => {
    for (const role of ['supervisor', 'team_lead', 'agent'] as const) {
      for (const p of ['users.manage', 'teams.manage', 'roles.manage'] as const)
        assert.isFalse(can(role, p), `${role} ${p}`)
    }
  })
})
