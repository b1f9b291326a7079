import type { InterviewResults, MeetingTranscript } from '@app/contracts';
import type { InterviewerAgentConfig } from './config';
import { ResultsOutbox } from './results-outbox';
import type { UserManagementClient } from './user-management.client';

/** The outbox that delivers interview results and meeting transcripts to user-management. */
export function outboxFor(config: InterviewerAgentConfig, userManagement: UserManagementClient): ResultsOutbox {
  return new ResultsOutbox(config.outbox.dir, (entry) =>
    entry.kind === 'interview'
      ? userManagement.putInterviewResults(entry.id, entry.body as InterviewResults)
      : userManagement.putMeetingTranscript(entry.id, entry.body as MeetingTranscript),
  );
}
