import { AutoSubscribe, inference, type JobContext, VADEventType } from '@livekit/agents';
import { RoomServiceClient } from 'livekit-server-sdk';
import { sanitizeText, type MeetingTranscript } from '@app/contracts';
import type { SpeechToText } from '@app/speech';
import { loadInterviewerAgentConfig } from './config';
import type { ResultsOutbox } from './results-outbox';
import { rtc, type RtcNode } from './rtc';

type RemoteParticipant = RtcNode.RemoteParticipant;
type AudioFrame = RtcNode.AudioFrame;

// R-G3: in a recruiter's meeting the agent is a silent note-taker. It makes itself hidden (the
// people in the meeting do not see it in the participant list), publishes nothing, subscribes to
// the humans' microphones only, and when speech recognition is configured keeps a transcript that
// it hands to the outbox when the meeting ends.

type MeetingUtterance = MeetingTranscript['transcript'][number];

export interface MeetingNotesOptions {
  ctx: JobContext;
  meetingId: string;
  stt: SpeechToText | null;
  outbox: ResultsOutbox;
  logger: { info: (o: object, m: string) => void; warn: (o: object, m: string) => void };
}

function isPerson(participant: RemoteParticipant): boolean {
  return participant.kind !== rtc.ParticipantKind.AGENT && participant.kind !== rtc.ParticipantKind.EGRESS;
}

/** Int16 mono at `rate` from agents' VAD frames. */
function joinFrames(frames: readonly AudioFrame[]): { sampleRate: number; samples: Int16Array } {
  const total = frames.reduce((n, f) => n + f.data.length, 0);
  const samples = new Int16Array(total);
  let at = 0;
  for (const f of frames) {
    samples.set(f.data, at);
    at += f.data.length;
  }
  return { sampleRate: frames[0]?.sampleRate ?? 16_000, samples };
}

export async function runMeetingNotes({ ctx, meetingId, stt, outbox, logger }: MeetingNotesOptions): Promise<void> {
  const config = loadInterviewerAgentConfig();
  await ctx.connect(undefined, AutoSubscribe.SUBSCRIBE_NONE);
  const room = ctx.room;
  const identity = room.localParticipant?.identity ?? '';
  // The dispatch token cannot ask for `hidden`; the server API can set it on the live participant.
  const rooms = new RoomServiceClient(
    config.livekit.url.replace(/^ws/, 'http'),
    config.livekit.apiKey,
    config.livekit.apiSecret,
  );
  await rooms
    .updateParticipant(room.name ?? '', identity, {
      permission: { hidden: true, canPublish: false, canPublishData: false, canSubscribe: true, canPublishSources: [] },
    })
    .catch((err: Error) => logger.warn({ err: err.message }, 'could not hide the note-taker'));
  logger.info({ transcribing: stt !== null }, 'note-taker joined the meeting');
  if (!stt) return;

  const startedAt = new Date();
  const transcript: MeetingUtterance[] = [];
  const vad = new inference.VAD({ minSilenceDuration: 500 });
  const listening = new Set<string>();

  const listen = (track: RtcNode.RemoteTrack, participant: RemoteParticipant) => {
    if (listening.has(track.sid ?? '')) return;
    listening.add(track.sid ?? '');
    const vadStream = vad.stream();
    const audio = new rtc.AudioStream(track, { sampleRate: 16_000, numChannels: 1 });
    void (async () => {
      for await (const frame of audio) vadStream.pushFrame(frame);
    })().catch(() => undefined);
    void (async () => {
      for await (const event of vadStream) {
        if (event.type !== VADEventType.END_OF_SPEECH || event.frames.length === 0) continue;
        const speechStartMs = Date.now() - Math.round(event.speechDuration + event.silenceDuration);
        try {
          const { text } = await stt.transcribe(joinFrames(event.frames));
          const clean = sanitizeText(text).trim();
          if (clean) {
            transcript.push({
              speaker: participant.identity,
              name: participant.name || undefined,
              text: clean.slice(0, 10_000),
              offsetMs: Math.max(0, speechStartMs - startedAt.getTime()),
            });
          }
        } catch (err) {
          logger.warn({ err: (err as Error).message }, 'could not transcribe a meeting segment');
        }
      }
    })().catch(() => undefined);
  };
  const subscribe = (publication: RtcNode.RemoteTrackPublication, participant: RemoteParticipant) => {
    if (isPerson(participant) && publication.source === rtc.TrackSource.SOURCE_MICROPHONE)
      publication.setSubscribed(true);
  };
  room.on(rtc.RoomEvent.TrackPublished, subscribe);
  room.on(rtc.RoomEvent.TrackSubscribed, (track, _publication, participant) => {
    if (track.kind === rtc.TrackKind.KIND_AUDIO && isPerson(participant)) listen(track, participant);
  });
  for (const participant of room.remoteParticipants.values()) {
    for (const publication of participant.trackPublications.values()) subscribe(publication, participant);
  }

  ctx.addShutdownCallback(async () => {
    transcript.sort((a, b) => a.offsetMs - b.offsetMs);
    const delivery = await outbox.put('meeting', meetingId, {
      startedAt: startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      transcript,
    } satisfies MeetingTranscript);
    logger.info({ utterances: transcript.length, delivery }, 'meeting transcript handed on');
  });
}
