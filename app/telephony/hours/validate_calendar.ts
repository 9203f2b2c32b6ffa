/*
| Checks a business-hours calendar before it is saved, so isOpen() never meets a time it cannot
| read. Same shape of issue as the IVR validator: a stable code, where, and i18n parameters.
*/

import { DateTime } from 'luxon'
import { parseTimeOfDay } from './calendar.js'
import { WEEKDAYS } from './types.js'
import type { BusinessCalendar, TimeRange } from './types.js'

export type CalendarErrorIssueCode =
  | 'invalid_time'
  | 'empty_range'
  | 'overlapping_ranges'
  | 'unknown_weekday'
  | 'invalid_date'
  | 'duplicate_date'
  | 'holiday_and_workday'

export type CalendarWarningCode = 'workday_without_hours'

export type CalendarIssue =
  | { severity: 'error'; code: CalendarErrorIssueCode; path: string; params: CalendarIssueParams }
  | { severity: 'warning'; code: CalendarWarningCode; path: string; params: CalendarIssueParams }

export type CalendarIssueParams = Record<string, string | number>

export interface CalendarValidation {
  valid: boolean
  errors: CalendarIssue[]
  warnings: CalendarIssue[]
}

export function validateCalendar(calendar: BusinessCalendar): CalendarValidation {
  const errors: CalendarIssue[] = []
  const warnings: CalendarIssue[] = []
  const error = (code: CalendarErrorIssueCode, path: string, params: CalendarIssueParams = {}) =>
    errors.push({ severity: 'error', code, path, params })

  const checkRanges = (path: string, ranges: TimeRange[] | null | undefined) => {
    const spans: { start: number; end: number; index: number }[] = []
    for (const [index, range] of (ranges ?? []).entries()) {
      const start = parseTimeOfDay(range?.start)
      const end = parseTimeOfDay(range?.end, true)
      if (start === null)
        error('invalid_time', `${path}.${index}.start`, { value: String(range?.start) })
      if (end === null) error('invalid_time', `${path}.${index}.end`, { value: String(range?.end) })
      if (start === null || end === null) continue
      if (start === end) {
        error('empty_range', `${path}.${index}`, { start: range.start, end: range.end })
        continue
      }
      spans.push({ start, end: end < start ? end + 24 * 60 : end, index })
    }
    spans.sort((a, b) => a.start - b.start)
    for (let i = 1; i < spans.length; i++) {
      if (spans[i].start < spans[i - 1].end) {
        // Harmless to isOpen() (either range opens), but almost always a typo in one of them.
        error('overlapping_ranges', `${path}.${spans[i].index}`, { other: spans[i - 1].index })
      }
    }
  }

  for (const [key, ranges] of Object.entries(calendar.weekly ?? {})) {
    if (!(WEEKDAYS as readonly string[]).includes(key)) {
      error('unknown_weekday', `weekly.${key}`, { weekday: key })
      continue
    }
    checkRanges(`weekly.${key}`, ranges)
  }

  const holidayDates = new Set<string>()
  const checkDate = (path: string, date: string, seen: Set<string>) => {
    // Only the canonical form, since dates are compared as strings when looked up.
    const parsed = DateTime.fromISO(String(date), { zone: 'UTC' })
    if (!/^\d{4}-\d{2}-\d{2}$/.test(String(date)) || !parsed.isValid) {
      error('invalid_date', path, { date: String(date) })
    } else if (seen.has(date)) {
      error('duplicate_date', path, { date })
    }
    seen.add(date)
  }

  for (const [index, holiday] of (calendar.holidays ?? []).entries()) {
    checkDate(`holidays.${index}.date`, holiday.date, holidayDates)
    checkRanges(`holidays.${index}.hours`, holiday.hours)
  }

  const workdayDates = new Set<string>()
  for (const [index, workday] of (calendar.workdayOverrides ?? []).entries()) {
    const path = `workdayOverrides.${index}`
    checkDate(`${path}.date`, workday.date, workdayDates)
    if (holidayDates.has(workday.date)) {
      error('holiday_and_workday', `${path}.date`, { date: workday.date })
    }
    if (workday.sameAs && !(WEEKDAYS as readonly string[]).includes(workday.sameAs)) {
      error('unknown_weekday', `${path}.sameAs`, { weekday: String(workday.sameAs) })
    }
    checkRanges(`${path}.hours`, workday.hours)
    const ownHours = (workday.hours ?? []).length > 0
    const inherited = (calendar.weekly?.[workday.sameAs ?? 'mon'] ?? []).length > 0
    if (!ownHours && !inherited) {
      warnings.push({
        severity: 'warning',
        code: 'workday_without_hours',
        path,
        params: { date: String(workday.date), sameAs: workday.sameAs ?? 'mon' },
      })
    }
  }

  return { valid: errors.length === 0, errors, warnings }
}
