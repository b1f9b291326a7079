import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resamplePcm16, SimliAudioDriver } from '../../../apps/video-streaming-server/src/avatars/avatar-audio-driver';
import { SimliProvider } from '../../../apps/video-streaming-server/src/avatars/simli.provider';
import { eventually } from '../../support/eventually.util';
import { startSimliStandIn, type SimliStandIn } from '../../support/simli-stand-in';

// Lip sync (planned enhancement): Parley's own TTS audio (24 kHz PCM16) drives a Simli session
// over its documented WebSocket audio path, against the Simli stand-in.
let simli: SimliStandIn;
let provider: SimliProvider;

const tone = (seconds: number, rate: number) =>
  Int16Array.from({ length: Math.round(seconds * rate) }, (_, i) =>
    Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)),
  );

beforeAll(async () => {
  simli = await startSimliStandIn();
  provider = new SimliProvider({
    apiKey: simli.apiKey,
    baseURL: simli.url,
    faceId: 'face-stand-in',
    maxSessionSeconds: 600,
    maxIdleSeconds: 60,
    tokenTtlMs: 60_000,
  });
});
afterAll(async () => {
  await simli?.close();
});

describe('driving a Simli avatar with Parley’s TTS audio', () => {
  it('sends PCM16 at 16 kHz in chunks of at least 250 ms, then the final message', async () => {
    const { token } = await provider.createSession(AbortSignal.timeout(5_000));
    const stream = await new SimliAudioDriver(simli.url).open(token);
    expect(stream.joinInfo).toMatchObject({ livekit_url: expect.stringMatching(/^wss:/) });
    // One second of 24 kHz TTS audio, in 100 ms pieces as a TTS stream delivers it.
    const audio = tone(1, 24_000);
    for (let at = 0; at < audio.length; at += 2_400) stream.sendAudio(audio.subarray(at, at + 2_400), 24_000);
    await stream.end();
    const session = await eventually(async () => {
      const s = simli.audioSessions.find((a) => a.token === token)!;
      expect(s.closed).toBe(true);
      return s;
    });
    expect(session.signals).toEqual(['DONE']);
    expect(session.audio.length).toBe(16_000 * 2); // 1 s at 16 kHz, 2 bytes a sample
    for (const size of session.chunkSizes.slice(0, -1)) expect(size).toBeGreaterThanOrEqual(8_000);
    // The samples are the tone, resampled: compare with the same resampling done here.
    const expected = resamplePcm16(audio, 24_000, 16_000);
    expect(session.audio.readInt16LE(2 * 1_000)).toBe(expected[1_000]);
    expect(stream.closed).toBe(true);
  });

  it('clear() sends SKIP (barge-in); an unknown token is refused', async () => {
    const { token } = await provider.createSession(AbortSignal.timeout(5_000));
    const stream = await new SimliAudioDriver(simli.url).open(token);
    stream.sendAudio(tone(0.5, 16_000), 16_000);
    stream.clear();
    await stream.end();
    await eventually(async () =>
      expect(simli.audioSessions.find((a) => a.token === token)!.signals).toEqual(['SKIP', 'DONE']),
    );
    // A token is single-use, and a made-up one is no token.
    await expect(new SimliAudioDriver(simli.url, 1_000).open(token)).rejects.toThrow(/refused/);
    await expect(new SimliAudioDriver(simli.url, 1_000).open('simli-session-nope')).rejects.toThrow(/refused/);
  });
});
