import env from '#start/env'
import type { ConnectionOptions } from 'bullmq'

/**
 * BullMQ's Redis connection. `maxRetriesPerRequest: null` is what BullMQ requires for workers:
 * commands wait for Redis to come back instead of failing, so jobs resume when it returns.
 */
export const connection: ConnectionOptions = {
  host: env.get('REDIS_HOST'),
  port: env.get('REDIS_PORT'),
  password: env.get('REDIS_PASSWORD')?.release() || undefined,
  maxRetriesPerRequest: null,
  retryStrategy: (times: number) => Math.min(times * 500, 5_000),
}

export const QUEUES = { maintenance: 'ringdesk-maintenance' } as const
