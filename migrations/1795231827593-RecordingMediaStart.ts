import type { MigrationInterface, QueryRunner } from 'typeorm';

// R-R7: the wall-clock time of a final recording's t=0, reported by the media plane when the file
// is ready. With it, an offset into the interview's transcript or scorecard (ms from the
// interview's start) becomes a moment of the replay: playerTime = startedAt + offsetMs − mediaStartedAt.
export class RecordingMediaStart1795231827593 implements MigrationInterface {
  name = 'RecordingMediaStart1795231827593';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE recordings ADD COLUMN media_started_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE recordings DROP COLUMN media_started_at`);
  }
}
