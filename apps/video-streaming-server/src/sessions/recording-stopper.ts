// The reaper stops an abandoned session's recording through this port; RecordingsService is the
// implementation (recordings/), kept behind it so the reaper does not depend on recording's parts.
export abstract class RecordingStopper {
  /** Idempotent: stopping a room that is not recording is a no-op. */
  abstract stopForAbandonedSession(room: string, identity: string): Promise<void>;
}
