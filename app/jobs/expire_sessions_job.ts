import sessionRegistry from '#services/session_registry'
import audit from '#services/audit_service'

/**
 * Ends sessions past the idle or absolute limit even when their browser never comes back, so
 * "My sessions" and the admin's view show the truth. Runs every minute on the job worker.
 */
export default class ExpireSessionsJob {
  static jobName = 'expire-sessions'
  static every = 60_000

  async handle() {
    const ended = await sessionRegistry.expireStale()
    if (ended > 0) {
      await audit.record({
        action: 'session.expired_by_job',
        actor: { id: null, label: 'system' },
        target: { type: 'session', id: null, label: null },
        after: { sessionsEnded: ended },
      })
    }
    return { ended }
  }
}
