import vine from '@vinejs/vine'
import { strongPassword } from '#validators/rules/strong_password'
import { ROLES } from '#app/auth/roles'

export const signInValidator = vine.create({
  email: vine.string().trim().email().maxLength(254),
  password: vine.string().maxLength(512),
})

export const mfaChallengeValidator = vine.create({
  code: vine
    .string()
    .trim()
    .regex(/^\d{6}$/)
    .optional()
    .requiredIfMissing('recoveryCode'),
  recoveryCode: vine.string().trim().minLength(10).maxLength(20).optional(),
})

export const totpCodeValidator = vine.create({
  code: vine
    .string()
    .trim()
    .regex(/^\d{6}$/),
})

export const changePasswordValidator = vine.withMetaData<{ email: string }>().create({
  currentPassword: vine.string().maxLength(512),
  newPassword: vine.string().minLength(12).maxLength(512).use(strongPassword()).confirmed({
    confirmationField: 'newPasswordConfirmation',
  }),
})

export const localeValidator = vine.create({
  locale: vine.enum(['en', 'zh-CN'] as const),
})

export const createUserValidator = vine.create({
  fullName: vine.string().trim().minLength(1).maxLength(120),
  email: vine
    .string()
    .trim()
    .email()
    .maxLength(254)
    .toLowerCase()
    .unique({ table: 'users', column: 'email' }),
  role: vine.enum(ROLES),
  teamId: vine
    .number()
    .withoutDecimals()
    .exists({ table: 'teams', column: 'id' })
    .nullable()
    .optional(),
  locale: vine.enum(['en', 'zh-CN'] as const).optional(),
  password: vine.string().minLength(12).maxLength(512).use(strongPassword()),
})

export const updateUserValidator = vine.withMetaData<{ userId: number }>().create({
  fullName: vine.string().trim().minLength(1).maxLength(120),
  email: vine
    .string()
    .trim()
    .email()
    .maxLength(254)
    .toLowerCase()
    .unique(async (db, value, field) => {
      const row = await db
        .from('users')
        .where('email', value)
        .whereNot('id', field.meta.userId)
        .first()
      return !row
    }),
  role: vine.enum(ROLES),
  teamId: vine
    .number()
    .withoutDecimals()
    .exists({ table: 'teams', column: 'id' })
    .nullable()
    .optional(),
  locale: vine.enum(['en', 'zh-CN'] as const),
  isDisabled: vine.boolean(),
})

export const lockUserValidator = vine.create({
  reason: vine.string().trim().minLength(3).maxLength(200),
})

export const teamValidator = vine.withMetaData<{ teamId?: number }>().create({
  name: vine
    .string()
    .trim()
    .minLength(1)
    .maxLength(120)
    .unique(async (db, value, field) => {
      const query = db.from('teams').where('name', value)
      if (field.meta.teamId) query.whereNot('id', field.meta.teamId)
      return !(await query.first())
    }),
  description: vine.string().trim().maxLength(500).nullable().optional(),
})

export const userListValidator = vine.create({
  page: vine.number().withoutDecimals().min(1).optional(),
  perPage: vine.number().withoutDecimals().range([5, 100]).optional(),
  search: vine.string().trim().maxLength(100).optional(),
  role: vine.enum(ROLES).optional(),
  teamId: vine.number().withoutDecimals().optional(),
  status: vine.enum(['active', 'disabled', 'locked'] as const).optional(),
  sort: vine
    .enum(['full_name', 'email', 'role', 'last_sign_in_at', 'created_at'] as const)
    .optional(),
  order: vine.enum(['asc', 'desc'] as const).optional(),
})

export const auditListValidator = vine.create({
  page: vine.number().withoutDecimals().min(1).optional(),
  perPage: vine.number().withoutDecimals().range([10, 200]).optional(),
  actor: vine.string().trim().maxLength(254).optional(),
  action: vine.string().trim().maxLength(80).optional(),
  targetType: vine.string().trim().maxLength(60).optional(),
  targetId: vine.string().trim().maxLength(64).optional(),
  from: vine.date({ formats: ['YYYY-MM-DD', 'YYYY-MM-DDTHH:mm', 'x'] }).optional(),
  to: vine.date({ formats: ['YYYY-MM-DD', 'YYYY-MM-DDTHH:mm', 'x'] }).optional(),
  sort: vine.enum(['created_at', 'action', 'actor_label'] as const).optional(),
  order: vine.enum(['asc', 'desc'] as const).optional(),
})
