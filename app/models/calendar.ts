import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const
export type Weekday = (typeof WEEKDAYS)[number]

/** "HH:mm" local time in the calendar's time zone; `to` is exclusive. */
export interface TimeRange {
  from: string
  to: string
}

export type WeeklyHours = Record<Weekday, TimeRange[]>

export interface Holiday {
  date: string
  name: string | null
}

/** A date that follows its own hours instead of its weekday's: a make-up working day (调休). */
export interface WorkdayOverride {
  date: string
  name: string | null
  ranges: TimeRange[]
}

const json = {
  prepare: (value: unknown) => JSON.stringify(value),
  consume: (value: string) => JSON.parse(value),
}

export default class Calendar extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare name: string

  @column()
  declare timeZone: string

  @column(json)
  declare weekly: WeeklyHours

  @column(json)
  declare holidays: Holiday[]

  @column(json)
  declare workdayOverrides: WorkdayOverride[]

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime
}
