import { DirectFileOutput, EgressInfo, EgressStatus, TrackEgressRequest } from 'livekit-server-sdk';
import { describe, expect, it } from 'vitest';
import { trackFromEgressInfo } from './egress-info';
import { parseRawTrackKey } from './recording.model';

const org = '3f2b8c1e-9d4a-4c6b-8e2f-1a2b3c4d5e6f';
const recording = '4a2b8c1e-9d4a-4c6b-8e2f-1a2b3c4d5e6f';
const key = `raw/${org}/${recording}/agent-AJ_x1/audio-TR_abc.ogg`;

function info(status: EgressStatus, file?: { size: bigint; startedAtNs: bigint; durationNs: bigint }) {
  return new EgressInfo({
    egressId: 'EG_1',
    roomName: 'interview_x',
    status,
    error: status === EgressStatus.EGRESS_ABORTED ? 'cut short' : '',
    startedAt: 1_000_000_000n,
    request: {
      case: 'track',
      value: new TrackEgressRequest({
        trackId: 'TR_abc',
        output: { case: 'file', value: new DirectFileOutput({ filepath: key }) },
      }),
    },
    fileResults: file
      ? [
          {
            filename: key,
            size: file.size,
            startedAt: file.startedAtNs,
            duration: file.durationNs,
            endedAt: file.startedAtNs + file.durationNs,
          },
        ]
      : [],
  });
}

describe(trackFromEgressInfo.name, () => {
  it('reads a started track egress from its request’s file path', () => {
    expect(trackFromEgressInfo(info(EgressStatus.EGRESS_ACTIVE))).toEqual({
      recordingId: recording,
      track: expect.objectContaining({
        egressId: 'EG_1',
        participant: 'agent-AJ_x1',
        kind: 'audio',
        trackSid: 'TR_abc',
        status: 'active',
        startedAt: 1_000,
        objectKey: undefined,
      }),
    });
  });

  it('reads an ended one from its fileResults, times in ms', () => {
    const parsed = trackFromEgressInfo(
      info(EgressStatus.EGRESS_COMPLETE, {
        size: 4_096n,
        startedAtNs: 1_700_000_000_123_000_000n,
        durationNs: 2_500_000_000n,
      }),
    );
    expect(parsed?.track).toMatchObject({
      status: 'ended',
      objectKey: key,
      sizeBytes: 4_096,
      startedAt: 1_700_000_000_123,
      endedAt: 1_700_000_002_623,
      durationMs: 2_500,
    });
  });

  it.each([
    [EgressStatus.EGRESS_LIMIT_REACHED, 'ended'],
    [EgressStatus.EGRESS_ABORTED, 'aborted'],
    [EgressStatus.EGRESS_FAILED, 'failed'],
    [EgressStatus.EGRESS_ENDING, 'active'],
  ] as const)('status %s → %s', (status, expected) => {
    expect(trackFromEgressInfo(info(status))?.track.status).toBe(expected);
  });

  it('ignores an egress that is not one of Parley’s track recordings', () => {
    const foreign = info(EgressStatus.EGRESS_COMPLETE);
    foreign.request = { case: 'track', value: new TrackEgressRequest({ trackId: 'TR_abc' }) };
    expect(trackFromEgressInfo(foreign)).toBeNull();
  });
});

describe(parseRawTrackKey.name, () => {
  it('names org, recording, participant and kind', () => {
    expect(parseRawTrackKey(key)).toEqual({
      orgId: org,
      recordingId: recording,
      participant: 'agent-AJ_x1',
      kind: 'audio',
    });
  });

  it.each([
    `final-recordings/${org}/${recording}.webm`,
    `raw/${org}/${recording}/audio-TR_abc.ogg`,
    `raw/${org}/${recording}/../x/audio-TR.ogg`,
    `raw/${org}/${recording}/user/screen-TR.ogg`,
    `raw/not-an-org/${recording}/user/audio-TR.ogg`,
  ])('rejects %s', (bad) => {
    expect(parseRawTrackKey(bad)).toBeNull();
  });
});
