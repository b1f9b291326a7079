import { AutoSubscribe, defineAgent, log, type JobContext } from '@livekit/agents';
import { parseRoomName } from '@app/room-naming';

// Runs in a job process forked by the worker, one per room. For now the interviewer joins and
// stays as a participant of kind AGENT; the interview behaviour (R-G2) and the silent meeting
// transcript (R-G3) build on this entry point.
export default defineAgent({
  entry: async (ctx: JobContext) => {
    const logger = log().child({ room: ctx.job.room?.name });
    await ctx.connect(undefined, AutoSubscribe.AUDIO_ONLY);
    const ref = parseRoomName(ctx.room.name ?? '');
    logger.info({ kind: ref?.kind }, 'interviewer joined the room');
    ctx.addShutdownCallback(async () => {
      logger.info('interviewer leaving the room');
    });
  },
});
