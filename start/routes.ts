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

    /*
    | Calls: configuration (inbound routes, IVR flows, queues, calendars, skills, break reasons,
    | agents' phones) and call records. Supervisors read the configuration, admins change it
    | (TelephonyPolicy); every route answers JSON to `Accept: application/json`.
    */
    const CalendarsController = () => import('#controllers/calendars_controller')
    const InboundRoutesController = () => import('#controllers/inbound_routes_controller')
    const IvrFlowsController = () => import('#controllers/ivr_flows_controller')
    const QueuesController = () => import('#controllers/queues_controller')
    const AgentsAdminController = () => import('#controllers/agents_admin_controller')
    const CallRecordsController = () => import('#controllers/call_records_controller')
    const byId = router.matchers.number()

    router
      .get('/telephony/calendars', [CalendarsController, 'index'])
      .as('telephony.calendars.index')
    router
      .post('/telephony/calendars', [CalendarsController, 'store'])
      .as('telephony.calendars.store')
    router
      .get('/telephony/calendars/:id', [CalendarsController, 'show'])
      .as('telephony.calendars.show')
      .where('id', byId)
    router
      .put('/telephony/calendars/:id', [CalendarsController, 'update'])
      .as('telephony.calendars.update')
      .where('id', byId)
    router
      .delete('/telephony/calendars/:id', [CalendarsController, 'destroy'])
      .as('telephony.calendars.destroy')
      .where('id', byId)

    router
      .get('/telephony/inbound-routes', [InboundRoutesController, 'index'])
      .as('telephony.inbound_routes.index')
    router
      .post('/telephony/inbound-routes', [InboundRoutesController, 'store'])
      .as('telephony.inbound_routes.store')
    router
      .get('/telephony/inbound-routes/:id', [InboundRoutesController, 'show'])
      .as('telephony.inbound_routes.show')
      .where('id', byId)
    router
      .put('/telephony/inbound-routes/:id', [InboundRoutesController, 'update'])
      .as('telephony.inbound_routes.update')
      .where('id', byId)
    router
      .delete('/telephony/inbound-routes/:id', [InboundRoutesController, 'destroy'])
      .as('telephony.inbound_routes.destroy')
      .where('id', byId)

    router
      .get('/telephony/ivr-flows', [IvrFlowsController, 'index'])
      .as('telephony.ivr_flows.index')
    router
      .post('/telephony/ivr-flows', [IvrFlowsController, 'store'])
      .as('telephony.ivr_flows.store')
    router
      .get('/telephony/ivr-flows/:id', [IvrFlowsController, 'show'])
      .as('telephony.ivr_flows.show')
      .where('id', byId)
    router
      .put('/telephony/ivr-flows/:id', [IvrFlowsController, 'update'])
      .as('telephony.ivr_flows.update')
      .where('id', byId)
    router
      .delete('/telephony/ivr-flows/:id', [IvrFlowsController, 'destroy'])
      .as('telephony.ivr_flows.destroy')
      .where('id', byId)

    router.get('/telephony/queues', [QueuesController, 'index']).as('telephony.queues.index')
    router.post('/telephony/queues', [QueuesController, 'store']).as('telephony.queues.store')
    router
      .get('/telephony/queues/:id', [QueuesController, 'show'])
      .as('telephony.queues.show')
      .where('id', byId)
    router
      .put('/telephony/queues/:id', [QueuesController, 'update'])
      .as('telephony.queues.update')
      .where('id', byId)
    router
      .delete('/telephony/queues/:id', [QueuesController, 'destroy'])
      .as('telephony.queues.destroy')
      .where('id', byId)

    router.get('/telephony/agents', [AgentsAdminController, 'index']).as('telephony.agents.index')
    router
      .put('/telephony/agents/:id/skills', [AgentsAdminController, 'updateSkills'])
      .as('telephony.agents.skills.update')
      .where('id', byId)
    router
      .post('/telephony/devices', [AgentsAdminController, 'storeDevice'])
      .as('telephony.devices.store')
    router
      .put('/telephony/devices/:id', [AgentsAdminController, 'updateDevice'])
      .as('telephony.devices.update')
      .where('id', byId)
    router
      .post('/telephony/devices/:id/rotate-password', [
        AgentsAdminController,
        'rotateDevicePassword',
      ])
      .as('telephony.devices.rotate_password')
      .where('id', byId)
    router
      .delete('/telephony/devices/:id', [AgentsAdminController, 'destroyDevice'])
      .as('telephony.devices.destroy')
      .where('id', byId)

    router.get('/telephony/skills', [AgentsAdminController, 'skills']).as('telephony.skills.index')
    router
      .post('/telephony/skills', [AgentsAdminController, 'storeSkill'])
      .as('telephony.skills.store')
    router
      .put('/telephony/skills/:id', [AgentsAdminController, 'updateSkill'])
      .as('telephony.skills.update')
      .where('id', byId)
    router
      .delete('/telephony/skills/:id', [AgentsAdminController, 'destroySkill'])
      .as('telephony.skills.destroy')
      .where('id', byId)

    router
      .get('/telephony/break-reasons', [AgentsAdminController, 'breakReasons'])
      .as('telephony.break_reasons.index')
    router
      .post('/telephony/break-reasons', [AgentsAdminController, 'storeBreakReason'])
      .as('telephony.break_reasons.store')
    router
      .put('/telephony/break-reasons/:id', [AgentsAdminController, 'updateBreakReason'])
      .as('telephony.break_reasons.update')
      .where('id', byId)
    router
      .delete('/telephony/break-reasons/:id', [AgentsAdminController, 'destroyBreakReason'])
      .as('telephony.break_reasons.destroy')
      .where('id', byId)

    // IVR prompts: uploads are converted for Asterisk; `/audio` streams the converted file.
    const PromptsController = () => import('#controllers/prompts_controller')
    router.get('/telephony/prompts', [PromptsController, 'index']).as('telephony.prompts.index')
    router.post('/telephony/prompts', [PromptsController, 'store']).as('telephony.prompts.store')
    router
      .put('/telephony/prompts/:id', [PromptsController, 'update'])
      .as('telephony.prompts.update')
      .where('id', byId)
    router
      .delete('/telephony/prompts/:id', [PromptsController, 'destroy'])
      .as('telephony.prompts.destroy')
      .where('id', byId)
    router
      .get('/telephony/prompts/:id/audio', [PromptsController, 'audio'])
      .as('telephony.prompts.audio')
      .where('id', byId)
    router
      .post('/telephony/prompts/:id/audio', [PromptsController, 'replaceAudio'])
      .as('telephony.prompts.replace_audio')
      .where('id', byId)

    /*
    | Agents' status (坐席状态): an agent's own page and request (agents and team leads); the
    | board and forcing available/offline for supervisors and team leads (AgentStatePolicy).
    */
    const AgentStatesController = () => import('#controllers/agent_states_controller')
    router.get('/my-status', [AgentStatesController, 'show']).as('agent_state.show')
    router.put('/my-status', [AgentStatesController, 'update']).as('agent_state.update')
    router.get('/agent-status', [AgentStatesController, 'index']).as('agent_states.index')
    router
      .put('/agent-status/:id', [AgentStatesController, 'force'])
      .as('agent_states.force')
      .where('id', byId)

    router.get('/calls', [CallRecordsController, 'index']).as('calls.index')
    /*
    | In-call control (保持, 转接): the agent on the call, or with calls.control (team-scoped for a
    | team lead); JSON. `live/mine` is the signed-in agent's call in a conversation now.
    */
    const CallCommandsController = () => import('#controllers/call_commands_controller')
    router.get('/calls/live/mine', [CallCommandsController, 'mine']).as('calls.live.mine')
    router
      .post('/calls/:uuid/commands', [CallCommandsController, 'store'])
      .as('calls.commands.store')
      .where('uuid', router.matchers.uuid())
    router
      .get('/calls/:id', [CallRecordsController, 'show'])
      .as('calls.show')
      .where('id', router.matchers.uuid())

    // A call's recording, decrypted as it streams; `?download=1` for an attachment.
    const RecordingsController = () => import('#controllers/recordings_controller')
    router
      .get('/calls/:id/recording', [RecordingsController, 'show'])
      .as('calls.recording')
      .where('id', router.matchers.uuid())
    // One recording by its id (a transferred call has one per agent leg); same rules and audit.
    router
      .get('/recordings/:id', [RecordingsController, 'showById'])
      .as('recordings.show')
      .where('id', byId)

    /*
    | Voicemail: everyone's list, narrowed by VoicemailPolicy (all / their team's agents' / their
    | own); playing is audited and marks it listened. Callback requests: supervisors and admins.
    */
    const VoicemailsController = () => import('#controllers/voicemails_controller')
    const CallbacksController = () => import('#controllers/callbacks_controller')
    router.get('/voicemails', [VoicemailsController, 'index']).as('voicemails.index')
    router
      .get('/voicemails/:id/audio', [VoicemailsController, 'audio'])
      .as('voicemails.audio')
      .where('id', byId)
    router.get('/callbacks', [CallbacksController, 'index']).as('callbacks.index')
    router
      .post('/callbacks/:id/cancel', [CallbacksController, 'cancel'])
      .as('callbacks.cancel')
      .where('id', byId)
  })
  .use(middleware.auth())
