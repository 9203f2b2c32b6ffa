/*
| Abilities that are not about one model: each is one permission of the role matrix, so a route
| or a page asks `bouncer.allows(permission, 'audit.view')`-style questions in one place.
*/
import { Bouncer } from '@adonisjs/bouncer'
import type User from '#models/user'
import { can, type Permission } from '#app/auth/roles'

export const permission = Bouncer.ability((user: User, name: Permission) => can(user.role, name))
