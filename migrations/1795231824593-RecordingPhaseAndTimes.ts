import type { MigrationInterface, QueryRunner } from 'typeorm';

// A meeting can be recorded more than once, so each recording keeps its own phase (recording,
// processing, ready, failed) and its own start and end; the meeting shows its latest recording.
export class RecordingPhaseAndTimes1795231824593 implements MigrationInterface {
  name = 'RecordingPhaseAndTimes1795231824593';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE recording_phase AS ENUM ('recording', 'processing', 'ready', 'failed')`);
    await q.query(`ALTER TABLE recordings ADD COLUMN phase recording_phase NOT NULL DEFAULT 'recording'`);
    await q.query(`ALTER TABLE recordings ADD COLUMN started_at timestamptz`);
    await q.query(`ALTER TABLE recordings ADD COLUMN ended_at timestamptz`);
    await q.query(`UPDATE recordings SET phase = status::text::recording_phase WHERE status IN ('ready', 'failed')`);
    // Until now only the meeting held timestamps, those of the recording it points at.
    await q.query(`
      UPDATE recordings r SET started_at = m.recording_started_at, ended_at = m.recording_ended_at
      FROM meetings m WHERE m.recording_id = r.id AND m.org_id = r.org_id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE recordings DROP COLUMN ended_at`);
    await q.query(`ALTER TABLE recordings DROP COLUMN started_at`);
    await q.query(`ALTER TABLE recordings DROP COLUMN phase`);
    await q.query(`DROP TYPE recording_phase`);
  }
}
