import type { AvatarSessionGrant } from './avatar-session';

/**
 * The port for a vendor's face in the interviewer's tile. An adapter draws into the page's video
 * element and takes the interviewer's voice for lip sync; `start` resolves on the first frame.
 */
export interface AvatarRenderer {
  start(): Promise<void>;
  /** The interviewer's voice (the LiveKit track the page plays), for the face's lip movement. */
  followVoice(track: MediaStreamTrack): void;
  /** Calls `listener` if the face stops after it started (the page falls back to the orb). */
  onFailure(listener: (reason: string) => void): void;
  stop(): Promise<void>;
}

export type AvatarRendererFactory = (
  grant: AvatarSessionGrant,
  video: HTMLVideoElement,
  audio: HTMLAudioElement,
) => Promise<AvatarRenderer>;
