/*
| Every route is named; controllers are imported lazily. Authorization is checked inside each
| controller action through Bouncer (policies and the permission ability), never only in the UI.
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const SessionController = () => import('#controllers/session_controller')
const AccountController = () => import('#controllers/account_controller')
const DashboardController = () => import('#controllers/dashboard_controller')
const UsersController = () => import('#controllers/users_controller')
const TeamsController = () => import('#controllers/teams_controller')
const RolesController = () => import('#controllers/roles_controller')
const AuditLogsController = () => import('#controllers/audit_logs_controller')
const HealthController = () => import('#controllers/health_controller')

router.get('/health', [HealthController, 'show']).as('health')
router.post('/locale', [AccountController, 'switchLocale']).as('locale.switch')

router
  .group(() => {
    router.get('/sign-in', [SessionController, 'create']).as('sign_in')
    router.post('/sign-in', [SessionController, 'store']).as('sign_in.store')
    router.get('/sign-in/mfa', [SessionController, 'challenge']).as('sign_in.mfa')
    router.post('/sign-in/mfa', [SessionController, 'verify']).as('sign_in.mfa.verify')
  })
  .use(middleware.guest())

// Reachable while an MFA-required account has not enrolled yet.
router
  .group(() => {
    router.post('/sign-out', [SessionController, 'destroy']).as('sign_out')
    router.get('/account/mfa', [AccountController, 'mfa']).as('account.mfa')
    router.post('/account/mfa', [AccountController, 'confirmMfa']).as('account.mfa.confirm')
  })
  .use(middleware.auth({ allowWithoutMfa: true }))

router
  .group(() => {
    router.get('/', [DashboardController, 'show']).as('dashboard')
    router
      .post('/account/mfa/recovery-codes', [AccountController, 'regenerateRecoveryCodes'])
      .as('account.mfa.recovery_codes')
    router.get('/account/password', [AccountController, 'password']).as('account.password')
    router
      .put('/account/password', [AccountController, 'updatePassword'])
      .as('account.password.update')
    router.get('/account/sessions', [AccountController, 'sessions']).as('account.sessions')
    router
      .delete('/account/sessions/:id', [AccountController, 'revokeSession'])
      .as('account.sessions.revoke')
      .where('id', router.matchers.number())

    router.get('/admin/users', [UsersController, 'index']).as('users.index')
    router.post('/admin/users', [UsersController, 'store']).as('users.store')
    router
      .get('/admin/users/:id', [UsersController, 'show'])
      .as('users.show')
      .where('id', router.matchers.number())
    router
      .put('/admin/users/:id', [UsersController, 'update'])
      .as('users.update')
      .where('id', router.matchers.number())
    router
      .post('/admin/users/:id/lock', [UsersController, 'lock'])
      .as('users.lock')
      .where('id', router.matchers.number())
    router
      .post('/admin/users/:id/unlock', [UsersController, 'unlock'])
      .as('users.unlock')
      .where('id', router.matchers.number())
    router
      .post('/admin/users/:id/revoke-sessions', [UsersController, 'revokeSessions'])
      .as('users.revoke_sessions')
      .where('id', router.matchers.number())
    router
      .post('/admin/users/:id/reset-mfa', [UsersController, 'resetMfa'])
      .as('users.reset_mfa')
      .where('id', router.matchers.number())

    router.get('/admin/teams', [TeamsController, 'index']).as('teams.index')
    router.post('/admin/teams', [TeamsController, 'store']).as('teams.store')
    router
      .put('/admin/teams/:id', [TeamsController, 'update'])
      .as('teams.update')
      .where('id', router.matchers.number())
    router
      .delete('/admin/teams/:id', [TeamsController, 'destroy'])
      .as('teams.destroy')
      .where('id', router.matchers.number())

    router.get('/admin/roles', [RolesController, 'index']).as('roles.index')
    router.put('/admin/roles', [RolesController, 'update']).as('roles.update')

    router.get('/admin/health', [HealthController, 'detail']).as('health.detail')

    router.get('/audit', [AuditLogsController, 'index']).as('audit.index')
    router.get('/audit/export', [AuditLogsController, 'export']).as('audit.export')
  })
  .use(middleware.auth())
