import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import { CalendarError, isOpen, nextOpening } from '#telephony/hours/calendar'
import { validateCalendar } from '#telephony/hours/validate_calendar'
import type { BusinessCalendar, TimeRange } from '#telephony/hours/types'
import { seededRandom } from '#tests/unit/telephony/builders'

const SHANGHAI = 'Asia/Shanghai'

/** An instant given as wall-clock time in a zone: '2025-03-03T09:00' in Shanghai by default. */
const at = (local: string, zone = SHANGHAI) => DateTime.fromISO(local, { zone }).toJSDate()

const range = (start: string, end: string): TimeRange => ({ start, end })
const office = [range('09:00', '12:00'), range('13:30', '18:00')]

/**
 * A Shanghai branch: weekdays with a lunch break, Saturday 10:00-16:00, Sunday closed; the 2025
 * National Day holiday (1-8 October) with its make-up working days on Sunday 28 September and
 * Saturday 11 October, and an early close on the eve of the holiday.
 */
function branchCalendar(): BusinessCalendar {
  return {
    weekly: {
      mon: office,
      tue: office,
      wed: office,
      thu: office,
      fri: office,
      sat: [range('10:00', '16:00')],
    },
    holidays: [
      { date: '2025-09-30', name: 'National Day eve', hours: [range('09:00', '15:00')] },
      ...['01', '02', '03', '04', '05', '06', '07', '08'].map((day) => ({
        date: `2025-10-${day}`,
        name: 'National Day',
      })),
    ],
    workdayOverrides: [
      { date: '2025-09-28', name: 'National Day make-up' },
      { date: '2025-10-11', name: 'National Day make-up' },
    ],
  }
}

/** A night hotline: weekdays 20:00 to 02:00 the next morning. */
function nightCalendar(holidays: BusinessCalendar['holidays'] = []): BusinessCalendar {
  const night = [range('20:00', '02:00')]
  return {
    weekly: { mon: night, tue: night, wed: night, thu: night, fri: night },
    holidays,
    workdayOverrides: [],
  }
}

test.group('Business hours | open or closed', () => {
  test('a weekday within opening hours is open', ({ assert }) => {
    assert.isTrue(isOpen(branchCalendar(), at('2025-03-03T09:00'), SHANGHAI))
    assert.isTrue(isOpen(branchCalendar(), at('2025-03-07T17:59:59'), SHANGHAI))
  })

  test('opening hours include their start and exclude their end', ({ assert }) => {
    assert.isFalse(isOpen(branchCalendar(), at('2025-03-03T08:59:59'), SHANGHAI))
    assert.isFalse(isOpen(branchCalendar(), at('2025-03-03T18:00'), SHANGHAI))
  })

  test('the lunch break between split ranges is closed', ({ assert }) => {
    assert.isFalse(isOpen(branchCalendar(), at('2025-03-03T12:00'), SHANGHAI))
    assert.isFalse(isOpen(branchCalendar(), at('2025-03-03T13:29'), SHANGHAI))
    assert.isTrue(isOpen(branchCalendar(), at('2025-03-03T13:30'), SHANGHAI))
  })

  test('each weekday has its own hours, and a day without hours is closed', ({ assert }) => {
    assert.isTrue(isOpen(branchCalendar(), at('2025-03-08T15:00'), SHANGHAI))
    assert.isFalse(isOpen(branchCalendar(), at('2025-03-08T17:00'), SHANGHAI))
    assert.isFalse(isOpen(branchCalendar(), at('2025-03-09T10:00'), SHANGHAI))
  })

  test('the same instant is judged in the given time zone', ({ assert }) => {
    const instant = new Date('2025-03-03T02:00:00Z')
    assert.isTrue(isOpen(branchCalendar(), instant, 'Asia/Shanghai'))
    assert.isFalse(isOpen(branchCalendar(), instant, 'Europe/London'))
  })

  test('a holiday is closed all day, even on a weekday', ({ assert }) => {
    assert.isFalse(isOpen(branchCalendar(), at('2025-10-01T10:00'), SHANGHAI))
    assert.isFalse(isOpen(branchCalendar(), at('2025-10-08T10:00'), SHANGHAI))
    assert.isTrue(isOpen(branchCalendar(), at('2025-10-09T10:00'), SHANGHAI))
  })

  test('a holiday with special hours is open only then', ({ assert }) => {
    assert.isTrue(isOpen(branchCalendar(), at('2025-09-30T12:30'), SHANGHAI))
    assert.isFalse(isOpen(branchCalendar(), at('2025-09-30T15:00'), SHANGHAI))
  })

  test('a make-up working day on a weekend (调休) is open with weekday hours', ({ assert }) => {
    // Sunday 28 September: normally closed.
    assert.isTrue(isOpen(branchCalendar(), at('2025-09-28T09:30'), SHANGHAI))
    assert.isFalse(isOpen(branchCalendar(), at('2025-09-28T12:30'), SHANGHAI))
    // Saturday 11 October: Monday's hours, not Saturday's 10:00-16:00.
    assert.isTrue(isOpen(branchCalendar(), at('2025-10-11T09:15'), SHANGHAI))
    assert.isTrue(isOpen(branchCalendar(), at('2025-10-11T17:00'), SHANGHAI))
    // The weekend after is an ordinary one again.
    assert.isFalse(isOpen(branchCalendar(), at('2025-10-12T10:00'), SHANGHAI))
  })

  test('a make-up day can follow another weekday or have its own hours', ({ assert }) => {
    const calendar = branchCalendar()
    calendar.weekly.fri = [range('09:00', '15:00')]
    calendar.workdayOverrides = [
      { date: '2025-09-28', sameAs: 'fri' },
      { date: '2025-10-11', hours: [range('08:00', '11:00')] },
    ]
    assert.isFalse(isOpen(calendar, at('2025-09-28T16:00'), SHANGHAI))
    assert.isTrue(isOpen(calendar, at('2025-09-28T14:00'), SHANGHAI))
    assert.isTrue(isOpen(calendar, at('2025-10-11T08:30'), SHANGHAI))
    assert.isFalse(isOpen(calendar, at('2025-10-11T13:30'), SHANGHAI))
  })

  test('an overnight range stays open into the next morning', ({ assert }) => {
    // Friday 20:00 to Saturday 02:00.
    assert.isFalse(isOpen(nightCalendar(), at('2025-03-07T19:59'), SHANGHAI))
    assert.isTrue(isOpen(nightCalendar(), at('2025-03-07T23:00'), SHANGHAI))
    assert.isTrue(isOpen(nightCalendar(), at('2025-03-08T01:59'), SHANGHAI))
    assert.isFalse(isOpen(nightCalendar(), at('2025-03-08T02:00'), SHANGHAI))
    // Sunday has no range, so Monday morning is closed.
    assert.isFalse(isOpen(nightCalendar(), at('2025-03-10T01:00'), SHANGHAI))
  })

  test('an overnight range belongs to the day it starts on', ({ assert }) => {
    // A holiday on Tuesday does not cut Monday night short...
    const tuesdayOff = nightCalendar([{ date: '2025-03-04' }])
    assert.isTrue(isOpen(tuesdayOff, at('2025-03-04T01:00'), SHANGHAI))
    assert.isFalse(isOpen(tuesdayOff, at('2025-03-04T21:00'), SHANGHAI))
    // ...while a holiday on Monday cancels Monday night, into Tuesday morning.
    const mondayOff = nightCalendar([{ date: '2025-03-03' }])
    assert.isFalse(isOpen(mondayOff, at('2025-03-03T21:00'), SHANGHAI))
    assert.isFalse(isOpen(mondayOff, at('2025-03-04T01:00'), SHANGHAI))
  })

  test("'24:00' closes at midnight", ({ assert }) => {
    const calendar: BusinessCalendar = {
      weekly: { sat: [range('18:00', '24:00')] },
      holidays: [],
      workdayOverrides: [],
    }
    assert.isTrue(isOpen(calendar, at('2025-03-08T23:59:59'), SHANGHAI))
    assert.isFalse(isOpen(calendar, at('2025-03-09T00:00'), SHANGHAI))
  })

  test('hours follow the wall clock across a daylight-saving change', ({ assert }) => {
    const calendar: BusinessCalendar = {
      weekly: { sun: [range('09:00', '17:00')] },
      holidays: [],
      workdayOverrides: [],
    }
    // New York springs forward on 9 March 2025: 09:00 is 13:00Z that day, not 14:00Z.
    assert.isTrue(isOpen(calendar, new Date('2025-03-09T13:00:00Z'), 'America/New_York'))
    assert.isFalse(isOpen(calendar, new Date('2025-03-09T12:59:00Z'), 'America/New_York'))
  })

  test('an unknown time zone or a malformed time is an error, not a guess', ({ assert }) => {
    const expectCode = (run: () => unknown, code: string) => {
      try {
        run()
        assert.fail(`expected CalendarError ${code}`)
      } catch (error) {
        assert.instanceOf(error, CalendarError)
        assert.equal((error as CalendarError).code, code)
      }
    }
    expectCode(
      () => isOpen(branchCalendar(), at('2025-03-03T10:00'), 'Mars/Olympus'),
      'invalid_time_zone'
    )
    expectCode(() => isOpen(branchCalendar(), new Date('nope'), SHANGHAI), 'invalid_instant')
    const broken = branchCalendar()
    broken.weekly.mon = [range('9am', '18:00')]
    expectCode(() => isOpen(broken, at('2025-03-03T10:00'), SHANGHAI), 'invalid_time')
  })
})

test.group('Business hours | next opening', () => {
  const next = (calendar: BusinessCalendar, local: string) =>
    nextOpening(calendar, at(local), SHANGHAI)?.getTime()

  test('when open now, the next opening is now', ({ assert }) => {
    assert.equal(next(branchCalendar(), '2025-03-03T10:17:23'), at('2025-03-03T10:17:23').getTime())
  })

  test('during the lunch break it is the afternoon opening', ({ assert }) => {
    assert.equal(next(branchCalendar(), '2025-03-03T12:05'), at('2025-03-03T13:30').getTime())
  })

  test('after hours it is the next morning, and over the weekend it is Monday', ({ assert }) => {
    assert.equal(next(branchCalendar(), '2025-03-03T19:00'), at('2025-03-04T09:00').getTime())
    assert.equal(next(branchCalendar(), '2025-03-08T16:30'), at('2025-03-10T09:00').getTime())
  })

  test('a holiday week is skipped', ({ assert }) => {
    assert.equal(next(branchCalendar(), '2025-09-30T15:00'), at('2025-10-09T09:00').getTime())
  })

  test('a make-up working day counts as an opening', ({ assert }) => {
    assert.equal(next(branchCalendar(), '2025-09-27T16:30'), at('2025-09-28T09:00').getTime())
    assert.equal(next(branchCalendar(), '2025-10-10T19:00'), at('2025-10-11T09:00').getTime())
  })

  test('overnight hours: open in the small hours, next evening otherwise', ({ assert }) => {
    assert.equal(next(nightCalendar(), '2025-03-08T01:00'), at('2025-03-08T01:00').getTime())
    assert.equal(next(nightCalendar(), '2025-03-08T03:00'), at('2025-03-10T20:00').getTime())
  })

  test('the next opening follows the wall clock across a daylight-saving change', ({ assert }) => {
    const calendar: BusinessCalendar = {
      weekly: { sun: [range('09:00', '17:00')] },
      holidays: [],
      workdayOverrides: [],
    }
    const opening = nextOpening(calendar, new Date('2025-03-08T20:00:00Z'), 'America/New_York')
    assert.equal(opening?.toISOString(), '2025-03-09T13:00:00.000Z')
  })

  test('a calendar that never opens has no next opening', ({ assert }) => {
    const never: BusinessCalendar = { weekly: {}, holidays: [], workdayOverrides: [] }
    assert.isNull(nextOpening(never, at('2025-03-03T10:00'), SHANGHAI))
  })

  test('the next opening is open, and everything before it since `at` is closed', ({ assert }) => {
    const random = seededRandom(31)
    const start = at('2025-09-20T00:00').getTime()
    for (const calendar of [branchCalendar(), nightCalendar([{ date: '2025-09-29' }])]) {
      for (let i = 0; i < 60; i++) {
        const from = new Date(start + Math.floor(random() * 30 * 24 * 60) * 60_000)
        const opening = nextOpening(calendar, from, SHANGHAI)!
        assert.isTrue(isOpen(calendar, opening, SHANGHAI), from.toISOString())
        // An odd step, so the samples land on many different minutes of the hour.
        for (let t = from.getTime(); t < opening.getTime(); t += 37 * 60_000) {
          assert.isFalse(isOpen(calendar, new Date(t), SHANGHAI), new Date(t).toISOString())
        }
        if (opening.getTime() > from.getTime()) {
          assert.isFalse(isOpen(calendar, new Date(opening.getTime() - 1), SHANGHAI))
        }
      }
    }
  })
})

test.group('Business hours | validation', () => {
  test('a well-formed calendar is valid', ({ assert }) => {
    assert.deepEqual(validateCalendar(branchCalendar()), { valid: true, errors: [], warnings: [] })
    assert.isTrue(validateCalendar(nightCalendar()).valid)
  })

  test('times must be HH:mm, with 24:00 only as an end', ({ assert }) => {
    const calendar = branchCalendar()
    calendar.weekly.mon = [range('9:00', '18:00'), range('24:00', '24:00')]
    calendar.weekly.tue = [range('09:00', '25:00')]
    const { errors } = validateCalendar(calendar)
    assert.deepEqual(
      errors.map((issue) => [issue.code, issue.path]),
      [
        ['invalid_time', 'weekly.mon.0.start'],
        ['invalid_time', 'weekly.mon.1.start'],
        ['invalid_time', 'weekly.tue.0.end'],
      ]
    )
  })

  test('an empty range is an error', ({ assert }) => {
    const calendar = branchCalendar()
    calendar.weekly.mon = [range('09:00', '09:00')]
    const result = validateCalendar(calendar)
    assert.isFalse(result.valid)
    assert.deepEqual(
      result.errors.map((issue) => [issue.code, issue.path]),
      [['empty_range', 'weekly.mon.0']]
    )
  })

  test('overlapping ranges on one day are an error, an overnight tail is not', ({ assert }) => {
    const calendar = branchCalendar()
    calendar.weekly.tue = [range('09:00', '12:00'), range('11:00', '18:00')]
    calendar.weekly.fri = [range('20:00', '02:00'), range('01:00', '03:00')]
    const result = validateCalendar(calendar)
    assert.isFalse(result.valid)
    assert.deepEqual(
      result.errors.map((issue) => [issue.code, issue.path, issue.params]),
      [['overlapping_ranges', 'weekly.tue.1', { other: 0 }]]
    )
  })

  test('dates must be real, unique, and not both a holiday and a workday', ({ assert }) => {
    const calendar = branchCalendar()
    calendar.holidays.push({ date: '2025-02-30' }, { date: '2025-10-01' }, { date: '1/10/2025' })
    calendar.workdayOverrides.push({ date: '2025-10-08' })
    assert.deepEqual(
      validateCalendar(calendar).errors.map((issue) => [issue.code, issue.path]),
      [
        ['invalid_date', 'holidays.9.date'],
        ['duplicate_date', 'holidays.10.date'],
        ['invalid_date', 'holidays.11.date'],
        ['holiday_and_workday', 'workdayOverrides.2.date'],
      ]
    )
  })

  test('a make-up day with no hours to use is a warning', ({ assert }) => {
    const calendar = branchCalendar()
    calendar.workdayOverrides = [{ date: '2025-09-28', sameAs: 'sun' }]
    const result = validateCalendar(calendar)
    assert.isTrue(result.valid)
    assert.deepEqual(
      result.warnings.map((issue) => [issue.code, issue.path, issue.params]),
      [['workday_without_hours', 'workdayOverrides.0', { date: '2025-09-28', sameAs: 'sun' }]]
    )
  })

  test('an unknown weekday is an error', ({ assert }) => {
    const calendar = branchCalendar()
    ;(calendar.weekly as Record<string, TimeRange[]>).monday = office
    assert.deepEqual(
      validateCalendar(calendar).errors.map((issue) => [issue.code, issue.path]),
      [['unknown_weekday', 'weekly.monday']]
    )
  })
})
