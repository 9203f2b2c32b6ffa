/*
| Opening hours, holidays and make-up workdays (调休), evaluated in a time zone. Pure functions
| over a plain calendar object; the IVR's hours node reports the answer of isOpen().
*/

export * from './types.js'
export { CalendarError, isOpen, nextOpening, parseTimeOfDay, rangeToInterval } from './calendar.js'
export type { CalendarErrorCode, DayInterval } from './calendar.js'
export { validateCalendar } from './validate_calendar.js'
export type {
  CalendarErrorIssueCode,
  CalendarIssue,
  CalendarIssueParams,
  CalendarValidation,
  CalendarWarningCode,
} from './validate_calendar.js'
