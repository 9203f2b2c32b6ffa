/*
| The IVR (语音导航): flow types, the validator run before a flow is saved, and the interpreter
| the call-handling code drives one step at a time. Pure TypeScript: no AdonisJS, no I/O.
*/

export * from './types.js'
export {
  TRANSFER_NUMBER_PATTERN,
  VARIABLE_NAME_PATTERN,
  branchesOf,
  validateFlow,
} from './validate_flow.js'
export type {
  FlowBranch,
  FlowErrorCode,
  FlowIssue,
  FlowIssueParams,
  FlowValidation,
  FlowValidationContext,
  FlowWarningCode,
} from './validate_flow.js'
export { IvrFlowError, IvrInterpreter } from './interpreter.js'
export type {
  IvrAction,
  IvrEndReason,
  IvrFlowErrorCode,
  IvrInput,
  IvrInterpreterOptions,
  IvrOutcome,
  IvrState,
  IvrStep,
  IvrTrailEntry,
} from './interpreter.js'
