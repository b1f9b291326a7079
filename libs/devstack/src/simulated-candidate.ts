import {
  AudioFrame,
  AudioSource,
  AudioStream,
  LocalAudioTrack,
  LocalVideoTrack,
  ParticipantKind,
  Room,
  RoomEvent,
  TrackKind,
  TrackPublishOptions,
  TrackSource,
  VideoBufferType,
  VideoFrame,
  VideoSource,
  type RemoteParticipant,
  type RemoteTrack,
} from '@livekit/rtc-node';
import { EspeakTextToSpeech, resamplePcm } from '@app/speech';

// A candidate made of code, for the demo, the e2e tests and the benchmarks: a real
// @livekit/rtc-node participant that publishes a microphone (silence between answers, as a real
// one does), speaks answers as generated audio, types them on lk.chat, and records what the
// interviewer sends back: captions (lk.transcription), its audio, its attributes.

const MIC_RATE = 48_000;
const FRAME_MS = 10;
const SAMPLES_PER_FRAME = (MIC_RATE * FRAME_MS) / 1000;

export interface Caption {
  text: string;
  final: boolean;
  /** The track the caption transcribes: the interviewer's own track for its speech. */
  trackId: string | undefined;
  from: string;
  /** When the stream's first text arrived (what a page shows first: captions stream as spoken). */
  startedAt: number;
  /** When the stream completed. */
  at: number;
}

export interface SimulatedCandidateOptions {
  url: string;
  token: string;
  /** The espeak-ng voice the candidate speaks with. */
  voice?: string;
}

export class SimulatedCandidate {
  readonly room = new Room();
  readonly captions: Caption[] = [];
  /** Wall times of the interviewer's non-silent audio frames, in order (a frame every 10 ms or so). */
  readonly agentAudioAt: number[] = [];
  agentAudioFrames = 0;
  agentLoudFrames = 0;
  private readonly source = new AudioSource(MIC_RATE, 1, 1_000);
  private readonly voice: EspeakTextToSpeech;
  private speech: Int16Array[] = [];
  private micRunning = false;
  private captionListeners: Array<(c: Caption) => void> = [];

  private constructor(voice: string) {
    this.voice = new EspeakTextToSpeech({ voice });
  }

  static async join(options: SimulatedCandidateOptions): Promise<SimulatedCandidate> {
    const candidate = new SimulatedCandidate(options.voice ?? 'en-us+m3');
    await candidate.connect(options.url, options.token);
    return candidate;
  }

  private async connect(url: string, token: string): Promise<void> {
    this.room.registerTextStreamHandler('lk.transcription', (reader, participant) => {
      // A stream cut by the interviewer leaving is simply lost, as it is for a browser.
      void (async () => {
        let text = '';
        let startedAt: number | undefined;
        for await (const chunk of reader) {
          if (chunk && startedAt === undefined) startedAt = Date.now();
          text += chunk;
        }
        const at = Date.now();
        return { text, startedAt: startedAt ?? at, at };
      })()
        .catch(() => undefined)
        .then((read) => {
          if (read === undefined) return;
          const caption: Caption = {
            ...read,
            final: reader.info.attributes?.['lk.transcription_final'] !== 'false',
            trackId: reader.info.attributes?.['lk.transcribed_track_id'],
            from: participant.identity,
          };
          this.captions.push(caption);
          for (const listener of this.captionListeners) listener(caption);
        });
    });
    // agents-js also talks its remote-session protocol to every participant; a web app that does not
    // use it drains it, as this one does.
    this.room.registerByteStreamHandler('lk.agent.session', (reader) => void reader.readAll().catch(() => undefined));
    this.room.on(RoomEvent.TrackSubscribed, (track: RemoteTrack, _pub, participant: RemoteParticipant) => {
      if (track.kind === TrackKind.KIND_AUDIO && participant.kind === ParticipantKind.AGENT) this.hear(track);
    });
    await this.room.connect(url, token, { autoSubscribe: true, dynacast: false });
    const track = LocalAudioTrack.createAudioTrack('microphone', this.source);
    await this.room.localParticipant!.publishTrack(
      track,
      new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }),
    );
    this.micRunning = true;
    void this.runMicrophone();
  }

  /** Feeds the microphone in real time: queued speech first, silence otherwise. */
  private async runMicrophone(): Promise<void> {
    const silence = new Int16Array(SAMPLES_PER_FRAME);
    let pending: Int16Array | undefined;
    let offset = 0;
    while (this.micRunning) {
      if (!pending && this.speech.length > 0) {
        pending = this.speech.shift();
        offset = 0;
      }
      let frame = silence;
      if (pending) {
        frame = new Int16Array(SAMPLES_PER_FRAME);
        frame.set(pending.subarray(offset, offset + SAMPLES_PER_FRAME));
        offset += SAMPLES_PER_FRAME;
        if (offset >= pending.length) {
          pending = undefined;
          this.speechDone?.();
        }
      }
      try {
        await this.source.captureFrame(new AudioFrame(frame, MIC_RATE, 1, SAMPLES_PER_FRAME));
      } catch {
        return; // the room closed under us
      }
    }
  }

  private speechDone?: () => void;
  private cameraRunning = false;

  /**
   * Publishes a camera: a test pattern (a bright bar sweeping over grey, the frame counter in its
   * position) at `fps`, until the candidate leaves. Recording tests check it arrives as video.
   */
  async publishCamera(options: { width?: number; height?: number; fps?: number } = {}): Promise<void> {
    const { width = 320, height = 240, fps = 15 } = options;
    const source = new VideoSource(width, height);
    const track = LocalVideoTrack.createVideoTrack('camera', source);
    await this.room.localParticipant!.publishTrack(
      track,
      new TrackPublishOptions({ source: TrackSource.SOURCE_CAMERA }),
    );
    this.cameraRunning = true;
    const lumaSize = width * height;
    void (async () => {
      for (let n = 0; this.cameraRunning; n++) {
        const buffer = new Uint8Array((lumaSize * 3) / 2).fill(128);
        const bar = (n * 4) % width;
        for (let y = 0; y < height; y++) buffer.fill(235, y * width + bar, y * width + Math.min(width, bar + 16));
        try {
          source.captureFrame(new VideoFrame(buffer, width, height, VideoBufferType.I420));
        } catch {
          return;
        }
        await new Promise((r) => setTimeout(r, 1000 / fps));
      }
    })();
  }

  private hear(track: RemoteTrack): void {
    void (async () => {
      for await (const frame of new AudioStream(track, { sampleRate: 24_000, numChannels: 1 })) {
        this.agentAudioFrames++;
        let peak = 0;
        for (const s of frame.data) peak = Math.max(peak, Math.abs(s));
        if (peak > 300) {
          this.agentLoudFrames++;
          this.agentAudioAt.push(Date.now());
        }
      }
    })().catch(() => undefined);
  }

  /** The interviewer's identity, once it is in the room. */
  get interviewer(): RemoteParticipant | undefined {
    return [...this.room.remoteParticipants.values()].find((p) => p.kind === ParticipantKind.AGENT);
  }

  /** Types an answer on lk.chat, as the web app's chat box does. */
  async type(text: string): Promise<void> {
    await this.room.localParticipant!.sendText(text, { topic: 'lk.chat' });
  }

  /** Speaks `text` into the microphone (espeak-ng), resolving when the last sample was sent. */
  async say(text: string): Promise<void> {
    const audio = await this.voice.synthesize(text);
    const samples = resamplePcm(audio, MIC_RATE).samples;
    await new Promise<void>((resolve) => {
      this.speechDone = resolve;
      this.speech.push(samples);
    });
  }

  /** Waits for an interviewer caption for which `match` holds, seen after `since`. */
  waitForCaption(match: (text: string) => boolean, timeoutMs = 30_000, since = 0): Promise<Caption> {
    const found = this.captions.find(
      (c) => c.at >= since && c.from !== this.room.localParticipant?.identity && match(c.text),
    );
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.captionListeners = this.captionListeners.filter((l) => l !== listener);
        reject(new Error(`no interviewer caption matched within ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (caption: Caption) => {
        if (caption.at < since || !match(caption.text)) return;
        clearTimeout(timer);
        this.captionListeners = this.captionListeners.filter((l) => l !== listener);
        resolve(caption);
      };
      this.captionListeners.push(listener);
    });
  }

  /** Calls `listener` for every caption from now on. */
  onCaption(listener: (caption: Caption) => void): void {
    this.captionListeners.push(listener);
  }

  /** The interviewer's published interview attributes (parley.*), empty before it joined. */
  get interviewerAttributes(): Record<string, string> {
    return { ...(this.interviewer?.attributes ?? {}) };
  }

  /**
   * Takes part in the interview until the interviewer closes it: each time the interviewer hands
   * the turn over (`parley.turn` goes up, with `parley.state` listening), answers the current question with
   * `answers[n - 1].answer`, or a follow-up on the same question with `.followUp`. Speaks the answer
   * (when `speak`) and types it on lk.chat, after `thinkMs`.
   */
  async interview(
    answers: ReadonlyArray<{ answer: string; followUp: string }>,
    options: {
      speak?: boolean;
      thinkMs?: number;
      timeoutMs?: number;
      onAnswer?: (text: string, q: number) => void;
      /** When the answer went out (its typed copy): what turn latency counts from. */
      onSent?: (at: number) => void;
    } = {},
  ): Promise<'closed' | 'interviewer_left' | 'timeout'> {
    const deadline = Date.now() + (options.timeoutMs ?? 600_000);
    const answered = new Map<number, number>();
    // Watched all along, also while "thinking": the close may come and go during a long pause, and
    // a hand-over is the interviewer's state going back to listening after it took the turn.
    // A hand-over is `parley.turn` going up while the state is listening; joining an interview
    // under way (a reconnect), the interviewer may already be waiting for us.
    const seen = { phase: undefined as string | undefined, answeredTurn: 0 };
    const watcher = setInterval(() => {
      const phase = this.interviewerAttributes['parley.phase'];
      if (phase) seen.phase = phase;
    }, 20);
    try {
      return await this.takePart(answers, options, deadline, answered, seen);
    } finally {
      clearInterval(watcher);
    }
  }

  private async takePart(
    answers: ReadonlyArray<{ answer: string; followUp: string }>,
    options: {
      speak?: boolean;
      thinkMs?: number;
      onAnswer?: (text: string, q: number) => void;
      onSent?: (at: number) => void;
    },
    deadline: number,
    answered: Map<number, number>,
    seen: { phase: string | undefined; answeredTurn: number },
  ): Promise<'closed' | 'interviewer_left' | 'timeout'> {
    while (Date.now() < deadline) {
      const phase = seen.phase;
      if (phase !== undefined && !this.interviewer) {
        // It left the room: after its close (it leaves once the results are handed on), or not.
        return phase === 'closing' || phase === 'done' ? 'closed' : 'interviewer_left';
      }
      const attrs = this.interviewerAttributes;
      if (attrs['parley.phase'] === 'done' || attrs['parley.phase'] === 'closing') {
        if (attrs['parley.state'] === 'listening') return 'closed';
      }
      const question = Number(attrs['parley.question'] || 0);
      // One answer per hand-over.
      const turn = Number(attrs['parley.turn'] || 0);
      if (attrs['parley.state'] === 'listening' && question > 0 && turn > seen.answeredTurn) {
        seen.answeredTurn = turn;
        const times = answered.get(question) ?? 0;
        answered.set(question, times + 1);
        const script = answers[question - 1];
        const text = !script ? 'I have nothing to add.' : times === 0 ? script.answer : script.followUp;
        await new Promise((r) => setTimeout(r, options.thinkMs ?? 300));
        options.onAnswer?.(text, question);
        if (options.speak) await this.say(text);
        const sentAt = Date.now();
        await this.type(text);
        options.onSent?.(sentAt);
        continue;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return 'timeout';
  }

  /** Captions of the interviewer's own speech (not the transcripts of the candidate's it sends back). */
  interviewerCaptions(): Caption[] {
    const own = new Set([...(this.room.localParticipant?.trackPublications.values() ?? [])].map((p) => p.sid));
    const agent = this.interviewer?.identity;
    return this.captions.filter((c) => c.from === agent && !own.has(c.trackId ?? ''));
  }

  async leave(): Promise<void> {
    this.cameraRunning = false;
    this.micRunning = false;
    await this.room.disconnect();
  }
}
