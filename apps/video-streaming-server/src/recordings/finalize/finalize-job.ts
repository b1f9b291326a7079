/** A job of the finalize queue: merge a recording, or delete its raw tracks after the retention. */
export type FinalizeJob = { kind: 'finalize'; recordingId: string } | { kind: 'purge-raw'; recordingId: string };
