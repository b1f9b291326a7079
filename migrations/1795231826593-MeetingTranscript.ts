import type { MigrationInterface, QueryRunner } from 'typeorm';

// R-G3: what the silent agent heard in a meeting, saved by the agent through the internal API
// and shown on the staff meeting detail. The whole document (its startedAt anchors every
// utterance's offsetMs); null until the agent reports one.
export class MeetingTranscript1795231826593 implements MigrationInterface {
  name = 'MeetingTranscript1795231826593';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE meetings ADD COLUMN transcript jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE meetings DROP COLUMN transcript`);
  }
}
