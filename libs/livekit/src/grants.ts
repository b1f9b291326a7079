import type { ParticipantRole } from '@app/contracts';
import { TrackSource, type VideoGrant } from 'livekit-server-sdk';

const AUDIO_VIDEO_SCREEN = [
  TrackSource.MICROPHONE,
  TrackSource.CAMERA,
  TrackSource.SCREEN_SHARE,
  TrackSource.SCREEN_SHARE_AUDIO,
];

/** A grant for exactly one room. */
export type RoomGrant = VideoGrant & { room: string };

// What each role may do inside exactly one room. Nobody but the server gets admin, record or
// room-create powers; metadata stays server-controlled (canUpdateOwnMetadata false).
export function grantFor(role: ParticipantRole, room: string): RoomGrant {
  const base: RoomGrant = {
    roomJoin: true,
    room,
    canSubscribe: true,
    canPublishData: true,
    canUpdateOwnMetadata: false,
  };
  switch (role) {
    case 'candidate':
    case 'interviewer':
    case 'recruiter':
      return { ...base, canPublish: true, canPublishSources: AUDIO_VIDEO_SCREEN };
  }
}

/** R-T2: watch only. No publishing of any kind, no data, and invisible to the other participants. */
export function observerGrant(room: string): RoomGrant {
  return {
    roomJoin: true,
    room,
    canSubscribe: true,
    canPublish: false,
    canPublishSources: [],
    canPublishData: false,
    canUpdateOwnMetadata: false,
    hidden: true,
  };
}
