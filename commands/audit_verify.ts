import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { verifyAuditChain } from '#services/audit_verifier'

export default class AuditVerify extends BaseCommand {
  static commandName = 'audit:verify'
  static description = 'Verify the audit log hash chain and name the first broken entry'
  static options: CommandOptions = { startApp: true }

  async run() {
    const started = performance.now()
    const result = await verifyAuditChain()
    const seconds = ((performance.now() - started) / 1000).toFixed(2)
    if (result.ok) {
      this.logger.success(`Audit chain intact: ${result.checked} entries verified in ${seconds} s`)
      return
    }
    const reasons = {
      edited: 'its content does not match its hash (edited)',
      link_broken: 'it does not link to the entry before it (an entry was deleted or inserted)',
      tail_missing: 'the newest entries recorded in the chain head are missing (deleted)',
    }
    this.logger.error(
      `Audit chain BROKEN at entry #${result.brokenAt!.id}: ${reasons[result.brokenAt!.reason]}. ` +
        `${result.checked} entries before it verified in ${seconds} s.`
    )
    this.exitCode = 1
  }
}
