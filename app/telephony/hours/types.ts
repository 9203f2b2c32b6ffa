/*
| Opening hours (工作时间) and holidays (节假日) of a branch. Times are wall-clock times in the
| calendar's time zone, given when the calendar is evaluated (Asia/Shanghai in most branches).
*/

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun'

/** In luxon's order: weekday 1 is Monday. */
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']

/**
 * A span of opening on one day, 'HH:mm' to 'HH:mm', start included, end excluded. '24:00' ends at
 * midnight. An end at or before the start runs overnight into the next day ('22:00'-'06:00'), and
 * belongs to the day it starts on: a holiday on the next day does not cut it short.
 */
export interface TimeRange {
  start: string
  end: string
}

/** A public or company holiday: closed all day, or open with special hours. */
export interface Holiday {
  /** Local date, 'yyyy-MM-dd'. */
  date: string
  name?: string
  /** Special opening hours that day; absent or empty means closed all day. */
  hours?: TimeRange[] | null
}

/**
 * A working day on a date that is normally off: the make-up days (调休) of Chinese public
 * holidays, such as a Sunday worked before National Day. Modelled explicitly because such days
 * are weekends by the weekly schedule.
 */
export interface WorkdayOverride {
  /** Local date, 'yyyy-MM-dd'. */
  date: string
  name?: string
  /** Opening hours that day; when absent or empty, those of `sameAs`. */
  hours?: TimeRange[] | null
  /** The weekday whose regular hours apply; Monday when not set. */
  sameAs?: Weekday | null
}

export interface BusinessCalendar {
  /** Regular hours per weekday, possibly split ('09:00'-'12:00', '13:30'-'18:00'); absent: closed. */
  weekly: Partial<Record<Weekday, TimeRange[]>>
  holidays: Holiday[]
  workdayOverrides: WorkdayOverride[]
}
