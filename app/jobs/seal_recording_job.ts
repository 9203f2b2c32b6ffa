import { basename } from 'node:path'
import telephonyConfig from '#config/telephony'
import Recording from '#models/recording'
import SealRecording from '#actions/recordings/seal_recording'
import { SEAL_RECORDING_JOB, type SealRecordingData } from '#services/recording_seal_queue'

/**
 * Seals one finished recording into the vault, on demand: the telephony worker adds one job per
 * recording as its leg ends (app/services/recording_seal_queue.ts), so the encryption costs the
 * job worker's CPU, not the event loop that routes calls. Idempotent: a sealed row is left alone.
 */
export default class SealRecordingJob {
  static jobName = SEAL_RECORDING_JOB

  async handle({ recordingId, callId }: SealRecordingData) {
    const dir = telephonyConfig.recordingsDir
    let failure: unknown = null
    const sealed = await new SealRecording().handle(callId, dir, recordingId).catch((error) => {
      failure = error
      return null
    })
    if (sealed?.encrypted) return { sealed: true }
    // The sweep may have sealed it meanwhile (and deleted the plaintext under our feet), or the
    // call is gone: nothing is wrong then.
    const recording = await Recording.find(recordingId)
    if (!recording || recording.encrypted || recording.deletedAt) {
      return { sealed: recording?.encrypted === true }
    }
    // A failed job is logged and kept (removeOnFail); the sweep tries again every minute.
    throw (
      failure ??
      new Error(`recording ${recordingId}: no ${basename(recording.storagePath)} in ${dir}`)
    )
  }
}
