import { CreateHiringSchema1795231820593 } from './1795231820593-CreateHiringSchema';
import { CreateOrganizationsAndUsers1795231819593 } from './1795231819593-CreateOrganizationsAndUsers';
import { MeetingGuestInvites1795231821593 } from './1795231821593-MeetingGuestInvites';
import { MeetingTranscript1795231826593 } from './1795231826593-MeetingTranscript';
import { OrganizationTier1795231828593 } from './1795231828593-OrganizationTier';
import { RecordingMediaStart1795231827593 } from './1795231827593-RecordingMediaStart';
import { RecordingPhaseAndTimes1795231824593 } from './1795231824593-RecordingPhaseAndTimes';
import { UserDeactivationAndTokenVersion1795231825593 } from './1795231825593-UserDeactivationAndTokenVersion';

// Listed explicitly (not globbed) so the same list works from dist/ and from TypeScript in tests.
// Append new migrations in order.
export const ALL_MIGRATIONS = [
  CreateOrganizationsAndUsers1795231819593,
  CreateHiringSchema1795231820593,
  MeetingGuestInvites1795231821593,
  RecordingPhaseAndTimes1795231824593,
  UserDeactivationAndTokenVersion1795231825593,
  MeetingTranscript1795231826593,
  RecordingMediaStart1795231827593,
  OrganizationTier1795231828593,
];
