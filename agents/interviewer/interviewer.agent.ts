import { AutoSubscribe, defineAgent, log, type JobContext } from '@livekit/agents';
import { parseRoomName } from '@app/room-naming';
import { loadInterviewerAgentConfig } from './config';
import { UserManagementClient, withBackoff } from './user-management.client';

// Runs in a job process forked by the worker, one per room. In an interview room it loads the
// plan and reports the interview in progress once the candidate is in the room; the conversation
// itself (R-G2) and the silent meeting transcript (R-G3) build on this entry point.
export default defineAgent({
  entry: async (ctx: JobContext) => {
    const logger = log().child({ room: ctx.job.room?.name });
    const config = loadInterviewerAgentConfig();
    const userManagement = new UserManagementClient({
      url: config.userManagement.url,
      serviceKey: config.userManagement.serviceKey,
      timeoutMs: config.userManagement.roomContextTimeoutMs,
    });
    const stopped = new AbortController();
    ctx.addShutdownCallback(async () => {
      stopped.abort();
      logger.info('interviewer leaving the room');
    });

    await ctx.connect(undefined, AutoSubscribe.AUDIO_ONLY);
    const ref = parseRoomName(ctx.room.name ?? '');
    logger.info({ kind: ref?.kind }, 'interviewer joined the room');
    if (ref?.kind !== 'interview') return;

    // user-management may be briefly away (the request function joined anyway): keep asking.
    const plan = await withBackoff(() => userManagement.interviewPlan(ref.id), { signal: stopped.signal });
    if (plan.outcome !== 'ok') {
      logger.warn({ outcome: plan.outcome }, 'no interview plan for this room; leaving');
      ctx.shutdown('no interview plan');
      return;
    }
    const candidateIdentity = `candidate-${plan.value.candidate.id}`;
    // A reconnecting candidate is the same identity: the interview is reported in progress once.
    await ctx.waitForParticipant(candidateIdentity);
    // The moment the agent sees the candidate arrive is when the interview starts.
    const joinedAt = new Date();
    const reported = await withBackoff(() => userManagement.reportInProgress(ref.id, joinedAt), {
      signal: stopped.signal,
    });
    logger.info({ outcome: reported.outcome, candidate: candidateIdentity }, 'candidate joined; interview in progress');
  },
});
