import { createHash } from 'node:crypto'
import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract, TransactionClientContract } from '@adonisjs/lucid/types/database'
import IvrFlow, { type IvrNodes } from '#models/ivr_flow'
import IvrFlowVersion from '#models/ivr_flow_version'
import audit from '#services/audit_service'
import DomainError from '#exceptions/domain_error'
import {
  describeIssues,
  fieldErrors,
  hasCallHistory,
  routesReferring,
} from '#actions/telephony_config/support'
import { validateFlow, type FlowIssue } from '#telephony/ivr/validate_flow'
import type { ivrFlowValidator } from '#validators/telephony'
import type { Infer } from '@vinejs/vine/types'

type Input = Infer<typeof ivrFlowValidator>

/** The audit keeps a fingerprint of the nodes; the full text of each version is in ivr_flow_versions. */
function snapshot(flow: IvrFlow) {
  return {
    name: flow.name,
    entryNode: flow.entryNode,
    version: flow.version,
    nodeCount: Object.keys(flow.nodes).length,
    nodesSha256: createHash('sha256').update(JSON.stringify(flow.nodes)).digest('hex'),
  }
}

async function ids(client: QueryClientContract, table: string, active = false) {
  const query = client.from(table).select('id')
  if (active) query.where('is_disabled', false)
  const rows = await query
  return rows.map((row) => String(row.id))
}

/**
 * IVR flows (语音导航). Every save is checked by the IVR engine's validateFlow against the queues,
 * prompts, calendars and agents that exist, bumps the version and keeps that version's nodes, so
 * calls can always say which menu their caller heard.
 */
export default class SaveIvrFlow {
  /** Errors block the save; warnings (an unreachable node...) are returned with the flow. */
  async check(client: QueryClientContract, entryNode: string, nodes: IvrNodes) {
    return validateFlow(
      { entryNodeId: entryNode, nodes },
      {
        knownQueueIds: await ids(client, 'queues'),
        knownPromptIds: await ids(client, 'prompts'),
        knownCalendarIds: await ids(client, 'calendars'),
        knownAgentIds: await ids(client, 'users', true),
      }
    )
  }

  /** Issues with their translated message (the node id is a message parameter). */
  describe(ctx: HttpContext, issues: FlowIssue[]) {
    return describeIssues(ctx, 'ivr_issues', issues, (issue) => ({ node: issue.nodeId ?? '' }))
  }

  #refuse(ctx: HttpContext, errors: FlowIssue[]) {
    return fieldErrors(
      ctx,
      errors.map((issue) => ({
        field: issue.nodeId ? `nodes.${issue.nodeId}` : 'entryNode',
        messageKey: `telephony.ivr_issues.${issue.code}`,
        rule: `ivr.${issue.code}`,
        params: { node: issue.nodeId ?? '', ...issue.params },
      }))
    )
  }

  async create(ctx: HttpContext, input: Input) {
    const nodes = input.nodes as unknown as IvrNodes
    return db.transaction(async (trx) => {
      const result = await this.check(trx, input.entryNode, nodes)
      if (!result.valid) throw this.#refuse(ctx, result.errors)
      const flow = await IvrFlow.create(
        {
          name: input.name,
          entryNode: input.entryNode,
          nodes,
          version: 1,
          updatedBy: ctx.auth.user?.id ?? null,
        },
        { client: trx }
      )
      await this.#keepVersion(trx, flow)
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'ivr_flow.created',
        target: { type: 'ivr_flow', id: flow.id, label: flow.name },
        after: snapshot(flow),
      })
      return { flow, warnings: this.describe(ctx, result.warnings) }
    })
  }

  async update(ctx: HttpContext, flowId: number, input: Input) {
    const nodes = input.nodes as unknown as IvrNodes
    return db.transaction(async (trx) => {
      // Two admins saving the same flow: the second waits for the first and then sees its version.
      const query = IvrFlow.query({ client: trx }).where('id', flowId)
      if (trx.dialect.name === 'postgres') query.forUpdate()
      const flow = await query.firstOrFail()
      if (input.expectedVersion !== undefined && input.expectedVersion !== flow.version) {
        throw new DomainError(
          'telephony.ivr_flow_stale',
          'expectedVersion',
          { version: flow.version },
          409
        )
      }
      const result = await this.check(trx, input.entryNode, nodes)
      if (!result.valid) throw this.#refuse(ctx, result.errors)
      const before = snapshot(flow)
      flow.merge({
        name: input.name,
        entryNode: input.entryNode,
        nodes,
        version: flow.version + 1,
        updatedBy: ctx.auth.user?.id ?? null,
      })
      await flow.save()
      await this.#keepVersion(trx, flow)
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'ivr_flow.updated',
        target: { type: 'ivr_flow', id: flow.id, label: flow.name },
        before,
        after: snapshot(flow),
      })
      return { flow, warnings: this.describe(ctx, result.warnings) }
    })
  }

  async delete(ctx: HttpContext, flow: IvrFlow) {
    await db.transaction(async (trx) => {
      const routes = await routesReferring('ivr', flow.id, trx)
      if (routes.length > 0) {
        throw new DomainError('telephony.ivr_flow_in_use', 'ivrFlow', { names: routes.join(', ') })
      }
      if (await hasCallHistory('ivr_flow_id', flow.id, trx)) {
        throw new DomainError('telephony.has_call_history', 'ivrFlow')
      }
      flow.useTransaction(trx)
      await flow.delete()
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'ivr_flow.deleted',
        target: { type: 'ivr_flow', id: flow.id, label: flow.name },
        before: snapshot(flow),
      })
    })
  }

  async #keepVersion(trx: TransactionClientContract, flow: IvrFlow) {
    await IvrFlowVersion.create(
      {
        ivrFlowId: flow.id,
        version: flow.version,
        entryNode: flow.entryNode,
        nodes: flow.nodes,
        savedBy: flow.updatedBy,
      },
      { client: trx }
    )
  }
}
