import { BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'
import type User from '#models/user'
import { can } from '#app/auth/roles'

/** Callback requests (回拨): supervisors and admins see the list and cancel pending ones. */
export default class CallbackPolicy extends BasePolicy {
  view(actor: User): AuthorizerResponse {
    return can(actor.role, 'callbacks.manage')
  }

  cancel(actor: User): AuthorizerResponse {
    return can(actor.role, 'callbacks.manage')
  }
}
