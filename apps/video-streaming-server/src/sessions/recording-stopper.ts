// The reaper must stop an abandoned session's recording. The recording issue provides the real
// implementation (egress stop + state machine); until then nothing records, so nothing to stop.
export abstract class RecordingStopper {
  /** Idempotent: stopping a room that is not recording is a no-op. */
  abstract stopForAbandonedSession(room: string, identity: string): Promise<void>;
}

export class NoRecordingStopper extends RecordingStopper {
  async stopForAbandonedSession(): Promise<void> {
    // no recordings exist yet
  }
}
