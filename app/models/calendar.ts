import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import type { BusinessCalendar, Holiday, WorkdayOverride } from '#telephony/hours/types'

/** The hours engine (app/telephony/hours) owns the shape; this model stores it as JSON text. */
export { WEEKDAYS } from '#telephony/hours/types'
export type { Holiday, TimeRange, Weekday, WorkdayOverride } from '#telephony/hours/types'
export type WeeklyHours = BusinessCalendar['weekly']

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

  /** Every weekday is present; a closed day has no ranges. */
  @column(json)
  declare weekly: WeeklyHours

  @column(json)
  declare holidays: Holiday[]

  /** Make-up working days (调休). */
  @column(json)
  declare workdayOverrides: WorkdayOverride[]

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  /** The plain calendar the hours engine evaluates (isOpen, nextOpening). */
  toBusinessCalendar(): BusinessCalendar {
    return {
      weekly: this.weekly,
      holidays: this.holidays,
      workdayOverrides: this.workdayOverrides,
    }
  }
}
