import { randomUUID } from 'node:crypto';
import { buildRoomName } from '@app/room-naming';
import {
  AudioFrame,
  AudioSource,
  AudioStream,
  dispose,
  LocalAudioTrack,
  Room,
  RoomEvent,
  TrackKind,
  TrackPublishOptions,
  TrackSource,
  type RemoteTrack,
} from '@livekit/rtc-node';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { joinToken } from '../../support/livekit.util';

const env = inject('stackEnv');
const SAMPLE_RATE = 48_000;
const FRAME_SAMPLES = SAMPLE_RATE / 100; // 10 ms

describe('LiveKit SFU media path', () => {
  afterAll(async () => {
    await dispose();
  });

  it('carries a published audio track from one rtc-node participant to another', async () => {
    const roomName = buildRoomName({ kind: 'interview', id: randomUUID(), noBot: true });
    const publisher = new Room();
    const subscriber = new Room();
    let pumping = true;
    try {
      await publisher.connect(
        env.LIVEKIT_URL,
        await joinToken(env, 'candidate-a', roomName, { canPublish: true, canSubscribe: false }),
        {
          autoSubscribe: false,
          dynacast: false,
        },
      );
      const source = new AudioSource(SAMPLE_RATE, 1);
      const track = LocalAudioTrack.createAudioTrack('microphone', source);
      const options = new TrackPublishOptions();
      options.source = TrackSource.SOURCE_MICROPHONE;
      await publisher.localParticipant!.publishTrack(track, options);

      // A 440 Hz tone at about half scale: after Opus the receiver must still hear it.
      let phase = 0;
      const pump = (async () => {
        while (pumping) {
          const data = new Int16Array(FRAME_SAMPLES);
          for (let i = 0; i < FRAME_SAMPLES; i++)
            data[i] = Math.round(16_000 * Math.sin((2 * Math.PI * 440 * phase++) / SAMPLE_RATE));
          await source.captureFrame(new AudioFrame(data, SAMPLE_RATE, 1, FRAME_SAMPLES));
        }
      })();

      const received = new Promise<{ frames: number; peak: number; from: string }>((resolve, reject) => {
        subscriber.on(RoomEvent.TrackSubscribed, (remoteTrack: RemoteTrack, _pub, participant) => {
          if (remoteTrack.kind !== TrackKind.KIND_AUDIO) return;
          void (async () => {
            let frames = 0;
            let peak = 0;
            for await (const frame of new AudioStream(remoteTrack, SAMPLE_RATE, 1)) {
              frames++;
              for (const sample of frame.data) peak = Math.max(peak, Math.abs(sample));
              if (frames >= 50 && peak > 0) return resolve({ frames, peak, from: participant.identity });
            }
          })().catch(reject);
        });
      });
      await subscriber.connect(
        env.LIVEKIT_URL,
        await joinToken(env, 'reviewer-b', roomName, { canPublish: false, canSubscribe: true }),
        {
          autoSubscribe: true,
          dynacast: false,
        },
      );

      const result = await Promise.race([
        received,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no audio frames within 20 s')), 20_000)),
      ]);
      expect(result.from).toBe('candidate-a');
      expect(result.frames).toBeGreaterThanOrEqual(50);
      // Silence would be ~0; the tone survives the Opus round trip well above the noise floor.
      expect(result.peak).toBeGreaterThan(4_000);
      pumping = false;
      await pump;
    } finally {
      pumping = false;
      await subscriber.disconnect();
      await publisher.disconnect();
    }
  });
});
