/*
| A realistic IVR flow for the IVR specs: welcome, opening-hours check, a main menu with a
| collect for the account number, queues, voicemail when closed, a transfer and a goodbye.
*/

import type { IvrFlow, IvrNode, PromptRef } from '#telephony/ivr/types'
import type { FlowValidationContext } from '#telephony/ivr/validate_flow'

export const builtin = (sound: string): PromptRef => ({ kind: 'builtin', sound })
export const upload = (promptId: string): PromptRef => ({ kind: 'upload', promptId })

export function sampleFlow(): IvrFlow {
  return {
    entryNodeId: 'welcome',
    nodes: {
      welcome: { type: 'play', prompt: upload('12'), next: 'hours' },
      hours: { type: 'hours', calendarId: 'cal-main', open: 'main', closed: 'closed_msg' },
      closed_msg: { type: 'play', prompt: builtin('ss-noservice'), next: 'closed_vm' },
      closed_vm: { type: 'voicemail', target: { queueId: 'q-support' } },
      main: {
        type: 'menu',
        prompt: upload('13'),
        options: [
          { digit: '1', next: 'sales' },
          { digit: '2', next: 'account' },
          { digit: '0', next: 'operator' },
          { digit: '*', next: 'main' },
        ],
        timeoutSeconds: 5,
        maxRetries: 2,
        invalidPrompt: builtin('option-is-invalid'),
        onTimeout: 'support',
        onInvalid: 'goodbye',
      },
      account: {
        type: 'collect',
        prompt: builtin('please-enter-your'),
        minDigits: 6,
        maxDigits: 10,
        terminator: '#',
        timeoutSeconds: 6,
        maxRetries: 1,
        variable: 'account_number',
        next: 'support',
        fallback: 'support',
      },
      sales: { type: 'queue', queueId: 'q-sales' },
      support: { type: 'queue', queueId: 'q-support' },
      operator: { type: 'transfer', number: '+8613800138000' },
      goodbye: { type: 'hangup' },
    },
  }
}

export const context: FlowValidationContext = {
  knownQueueIds: ['q-sales', 'q-support'],
  knownPromptIds: ['12', '13'],
  knownCalendarIds: ['cal-main'],
}

/** The sample flow with some nodes replaced, added (or removed with null). */
export function flowWith(nodes: Record<string, IvrNode | null>, entryNodeId?: string): IvrFlow {
  const flow = sampleFlow()
  for (const [id, node] of Object.entries(nodes)) {
    if (node === null) delete flow.nodes[id]
    else flow.nodes[id] = node
  }
  if (entryNodeId !== undefined) flow.entryNodeId = entryNodeId
  return flow
}
