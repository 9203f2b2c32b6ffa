import { BaseTransformer } from '@adonisjs/core/transformers'
import type IvrFlow from '#models/ivr_flow'

export default class IvrFlowTransformer extends BaseTransformer<IvrFlow> {
  toObject() {
    const f = this.resource
    return {
      id: f.id,
      name: f.name,
      entryNode: f.entryNode,
      version: f.version,
      nodeCount: Object.keys(f.nodes).length,
      updatedBy: f.updatedBy,
      updatedAt: f.updatedAt.toISO(),
    }
  }

  /** With the nodes, for the flow editor. */
  forDetail() {
    return { ...this.toObject(), nodes: this.resource.nodes }
  }
}
