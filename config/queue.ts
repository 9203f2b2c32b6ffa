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

/**
 * For processes that only add jobs and must not wait on Redis (the telephony worker): with Redis
 * down a command fails at once instead of queueing in memory until it returns. Only the first
 * connect still waits (BullMQ needs Redis once before its first command), so callers bound it.
 */
export const producerConnection: ConnectionOptions = {
  ...connection,
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  commandTimeout: 2_000,
}

export const QUEUES = {
  /** Recurring jobs, each with a scheduler. */
  maintenance: 'ringdesk-maintenance',
  /** One job per finished recording, added by the telephony worker. */
  recordings: 'ringdesk-recordings',
} as const
