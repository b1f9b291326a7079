// simli-client 3.0.2's index.js requires './Client' while the file is client.js (published from a
// case-insensitive file system), so the entry breaks on Linux builds: import the module itself.
import { LogLevel, SimliClient } from 'simli-client/dist/client';
import type { AvatarRenderer, AvatarRendererFactory } from './avatar-renderer';

/**
 * Simli in "direct mode" (simli-client): the browser opens Simli's session socket with the token
 * the media plane minted, joins the LiveKit room Simli answers with to receive the face, and sends
 * the interviewer's voice on that socket for lip sync. The page keeps playing the voice from
 * Parley's own room, so Simli's audio element stays muted.
 */
export const createSimliRenderer: AvatarRendererFactory = async (grant, video, audio) => {
  const base = String(grant.details.webSocketUrl ?? '');
  const transport = grant.details.transport === 'p2p' ? 'p2p' : 'livekit';
  audio.muted = true;
  // ERROR only: simli-client's debug log prints the session URL, token included.
  const client = new SimliClient(
    grant.token,
    video,
    audio,
    grant.iceServers ?? null,
    LogLevel.ERROR,
    transport,
    'websockets',
    base,
  );
  const failureListeners: Array<(reason: string) => void> = [];
  let started = false;
  const fail = (reason: string) => {
    if (started) for (const listener of failureListeners) listener(reason);
  };
  client.on('error', (detail: string) => fail(`simli: ${String(detail).slice(0, 60)}`));
  client.on('stop', () => fail('simli: stopped'));
  const renderer: AvatarRenderer = {
    async start() {
      await client.start();
      started = true;
    },
    followVoice(track) {
      client.listenToMediastreamTrack(track);
    },
    onFailure(listener) {
      failureListeners.push(listener);
    },
    async stop() {
      started = false;
      await client.stop().catch(() => undefined);
    },
  };
  return renderer;
};
