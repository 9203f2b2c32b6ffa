/*
| Whether a branch is open at an instant, and when it opens next. The hours that apply to a date
| are, in order: a holiday's (closed, or special hours), a make-up workday's, the weekly schedule.
| Everything is evaluated in the given IANA time zone with luxon, on wall-clock times, so a
| daylight-saving change (not in China, but in other branches) moves nothing.
*/

import { DateTime } from 'luxon'
import { WEEKDAYS } from './types.js'
import type { BusinessCalendar, TimeRange, Weekday } from './types.js'

export type CalendarErrorCode = 'invalid_time' | 'invalid_time_zone' | 'invalid_instant'

/** The calendar or the arguments cannot be evaluated; validateCalendar() catches bad calendars. */
export class CalendarError extends Error {
  readonly code: CalendarErrorCode

  constructor(code: CalendarErrorCode, detail: string) {
    super(`Business calendar error "${code}": ${detail}`)
    this.name = 'CalendarError'
    this.code = code
  }
}

const MINUTES_PER_DAY = 24 * 60

/** Minutes since midnight of 'HH:mm'; '24:00' only where `allowMidnightEnd`. Null if invalid. */
export function parseTimeOfDay(value: string, allowMidnightEnd = false): number | null {
  const match = /^([01][0-9]|2[0-3]):([0-5][0-9])$/.exec(value)
  if (match) return Number(match[1]) * 60 + Number(match[2])
  if (allowMidnightEnd && value === '24:00') return MINUTES_PER_DAY
  return null
}

/** A range in minutes from the start of its day; `end` above 1440 runs into the next day. */
export interface DayInterval {
  start: number
  end: number
}

/** Null for an empty range (start equal to end): validateCalendar() reports it. */
export function rangeToInterval(range: TimeRange): DayInterval | null {
  const start = parseTimeOfDay(range.start)
  const end = parseTimeOfDay(range.end, true)
  if (start === null) throw new CalendarError('invalid_time', `start "${range.start}"`)
  if (end === null) throw new CalendarError('invalid_time', `end "${range.end}"`)
  if (end === start) return null
  return { start, end: end < start ? end + MINUTES_PER_DAY : end }
}

/** The calendar with its dates indexed and its times parsed, for repeated lookups. */
class CompiledCalendar {
  readonly #weekly = new Map<Weekday, DayInterval[]>()
  readonly #holidays = new Map<string, DayInterval[]>()
  readonly #workdays = new Map<string, DayInterval[]>()

  constructor(calendar: BusinessCalendar) {
    for (const weekday of WEEKDAYS) {
      this.#weekly.set(weekday, intervals(calendar.weekly?.[weekday]))
    }
    // A holiday and a workday on one date is a contradiction validateCalendar() rejects; if one
    // gets through, the holiday wins, being the more deliberate entry.
    for (const holiday of calendar.holidays ?? []) {
      this.#holidays.set(holiday.date, intervals(holiday.hours))
    }
    for (const workday of calendar.workdayOverrides ?? []) {
      const own = intervals(workday.hours)
      const sameAs = workday.sameAs ?? 'mon'
      this.#workdays.set(workday.date, own.length > 0 ? own : (this.#weekly.get(sameAs) ?? []))
    }
  }

  /** The opening intervals of a local date. */
  day(date: DateTime): DayInterval[] {
    const iso = date.toISODate()!
    return (
      this.#holidays.get(iso) ??
      this.#workdays.get(iso) ??
      this.#weekly.get(WEEKDAYS[date.weekday - 1])!
    )
  }
}

function intervals(ranges: TimeRange[] | null | undefined): DayInterval[] {
  return (ranges ?? [])
    .map(rangeToInterval)
    .filter((interval): interval is DayInterval => interval !== null)
    .sort((a, b) => a.start - b.start)
}

function localTime(at: Date, timeZone: string): DateTime {
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) {
    throw new CalendarError('invalid_instant', String(at))
  }
  const local = DateTime.fromJSDate(at, { zone: timeZone })
  if (!local.isValid) throw new CalendarError('invalid_time_zone', String(timeZone))
  return local
}

/** Whether the calendar is open at `at` in `timeZone` (an IANA name such as 'Asia/Shanghai'). */
export function isOpen(calendar: BusinessCalendar, at: Date, timeZone: string): boolean {
  const local = localTime(at, timeZone)
  const compiled = new CompiledCalendar(calendar)
  const minute = local.hour * 60 + local.minute + local.second / 60 + local.millisecond / 60_000
  const today = compiled.day(local)
  if (today.some(({ start, end }) => start <= minute && minute < Math.min(end, MINUTES_PER_DAY))) {
    return true
  }
  // Yesterday's overnight ranges reach into today.
  const yesterday = compiled.day(local.minus({ days: 1 }))
  return yesterday.some(({ end }) => minute < end - MINUTES_PER_DAY)
}

/** The instant `minutes` after the start of local `date`, by the wall clock. */
function wallClock(date: DateTime, minutes: number): DateTime {
  const day = date.startOf('day').plus({ days: Math.floor(minutes / MINUTES_PER_DAY) })
  const rest = minutes % MINUTES_PER_DAY
  // set() keeps wall-clock time across a DST change, where adding minutes would not; a time
  // that does not exist that day (in a spring-forward gap) moves forward by the gap.
  return day.set({ hour: Math.floor(rest / 60), minute: rest % 60, second: 0, millisecond: 0 })
}

/**
 * The first instant at or after `at` at which the calendar is open: `at` itself when open now,
 * null when it does not open within `horizonDays` (a calendar with no hours at all).
 */
export function nextOpening(
  calendar: BusinessCalendar,
  at: Date,
  timeZone: string,
  { horizonDays = 400 }: { horizonDays?: number } = {}
): Date | null {
  const local = localTime(at, timeZone)
  const compiled = new CompiledCalendar(calendar)
  const atMillis = at.getTime()

  // Start with yesterday for its overnight ranges. Each day's ranges start that day, so the
  // first day that yields a candidate yields the earliest one.
  for (let offset = -1; offset <= horizonDays; offset++) {
    const date = local.plus({ days: offset })
    let best: number | null = null
    for (const { start, end } of compiled.day(date)) {
      if (wallClock(date, end).toMillis() <= atMillis) continue
      const candidate = Math.max(wallClock(date, start).toMillis(), atMillis)
      if (best === null || candidate < best) best = candidate
    }
    if (best !== null) return new Date(best)
  }
  return null
}
