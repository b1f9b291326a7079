import { useEffect, useRef, useState, type FormEvent } from 'react';
import {
  ConnectionQuality,
  DisconnectReason,
  type Participant,
  type RemoteParticipant,
  type RemoteTrack,
  Room,
  RoomEvent,
  Track,
} from 'livekit-client';
import { api, describeInviteError, type InviteDetails } from '../api';
import { MediaSession } from '../session/media-session';
import { ConnectionBadge, RecordingBadge } from '../media/StatusBadges';
import { followReconnects } from '../session/reconnect';
import { useRecordingState } from '../session/use-recording-state';
import type { ChosenDevices } from './DeviceCheck';
import { useAvatar } from '../avatar/useAvatar';
import { Orb } from '../components/Orb';
import { Notice } from '../components/Notice';
import type { EndReason } from './EndScreen';

const INTERVIEWER_IDENTITY = 'parley-interviewer';

interface Caption {
  key: string;
  who: 'interviewer' | 'you';
  text: string;
  typed?: boolean;
}

type Attributes = Readonly<Record<string, string>>;

interface Props {
  invite: string;
  details: InviteDetails;
  devices: ChosenDevices;
  onEnd: (reason: EndReason) => void;
}

const isInterviewer = (p: Participant) => p.identity === INTERVIEWER_IDENTITY || p.isAgent;

/** The live interview: the interviewer's orb and captions, typed answers, progress and controls. */
export function InterviewRoom({ invite, details, devices, onEnd }: Props) {
  const roomRef = useRef<Room | null>(null);
  const audioRef = useRef<HTMLDivElement>(null);
  const selfVideoRef = useRef<HTMLVideoElement>(null);
  const logRef = useRef<HTMLOListElement>(null);
  const onEndRef = useRef(onEnd);
  onEndRef.current = onEnd;

  const [phase, setPhase] = useState<'connecting' | 'connected' | 'reconnecting'>('connecting');
  const [attrs, setAttrs] = useState<Attributes>({});
  const [agentPresent, setAgentPresent] = useState(false);
  const [agentSpeaking, setAgentSpeaking] = useState(false);
  const [captions, setCaptions] = useState<Caption[]>([]);
  const [micOn, setMicOn] = useState(false);
  const [camOn, setCamOn] = useState(false);
  const [mediaError, setMediaError] = useState<string | null>(null);
  const [audioBlocked, setAudioBlocked] = useState(false);
  const [answer, setAnswer] = useState('');
  const [now, setNow] = useState(() => Date.now());
  const [session, setSession] = useState<MediaSession | null>(null);
  const [agentVoice, setAgentVoice] = useState<MediaStreamTrack | null>(null);
  const avatar = useAvatar(session, agentVoice);
  const [quality, setQuality] = useState<ConnectionQuality>(ConnectionQuality.Unknown);
  const recording = useRecordingState(session);
  const devicesRef = useRef(devices);

  useEffect(() => {
    const room = new Room({
      adaptiveStream: true,
      dynacast: true,
      audioCaptureDefaults: { deviceId: devicesRef.current.audioInputId ?? undefined },
      videoCaptureDefaults: {
        deviceId: devicesRef.current.videoInputId ?? undefined,
        resolution: { width: 640, height: 360 },
      },
    });
    roomRef.current = room;
    let cancelled = false;
    let ended = false;
    let media: MediaSession | null = null;
    const marker = (message: string, data?: Record<string, string | number | boolean>) =>
      media?.event({ type: 'marker', message, data });
    const end = (reason: EndReason) => {
      if (ended || cancelled) return;
      ended = true;
      marker('candidate.left_room', { reason: typeof reason === 'string' ? reason : 'error' });
      void media?.close();
      onEndRef.current(reason);
    };
    // Script errors reach the session timeline, without the page's URL (its fragment holds the invite).
    const onError = (e: ErrorEvent) =>
      media?.event({ type: 'log', level: 'error', message: e.message || 'script error' });
    window.addEventListener('error', onError);
    let lastAttrs: Attributes = {};
    const setAgentAttrs = (p: Participant) => {
      lastAttrs = { ...p.attributes };
      setAttrs(lastAttrs);
    };

    const upsertCaption = (key: string, patch: Omit<Caption, 'key'>) =>
      setCaptions((list) => {
        const i = list.findIndex((c) => c.key === key);
        if (i === -1) return [...list, { key, ...patch }].slice(-60);
        const next = list.slice();
        next[i] = { key, ...patch };
        return next;
      });

    room.registerTextStreamHandler('lk.transcription', (reader) => {
      const trackId = reader.info.attributes?.['lk.transcribed_track_id'];
      const who = trackId && room.localParticipant.trackPublications.has(trackId) ? 'you' : 'interviewer';
      const key = reader.info.attributes?.['lk.segment_id'] ?? reader.info.id;
      void (async () => {
        let text = '';
        try {
          for await (const chunk of reader) {
            text += chunk;
            upsertCaption(key, { who, text });
          }
        } catch {
          // a stream cut by the interviewer leaving keeps what arrived
        }
      })();
    });
    // agents-js talks its own session protocol to every participant; this page does not use it.
    room.registerByteStreamHandler('lk.agent.session', (reader) => void reader.readAll().catch(() => undefined));

    followReconnects(room, setPhase, marker)
      .on(RoomEvent.ParticipantConnected, (p: RemoteParticipant) => {
        if (!isInterviewer(p)) return;
        setAgentPresent(true);
        setAgentAttrs(p);
      })
      .on(RoomEvent.ParticipantAttributesChanged, (_changed, p: Participant) => {
        if (isInterviewer(p)) setAgentAttrs(p);
      })
      .on(RoomEvent.ParticipantDisconnected, (p: RemoteParticipant) => {
        if (!isInterviewer(p)) return;
        setAgentPresent(false);
        setAgentSpeaking(false);
        const done = lastAttrs['parley.phase'] === 'done' || lastAttrs['parley.phase'] === 'closing';
        if (done) {
          end('finished');
          void room.disconnect();
        }
      })
      .on(RoomEvent.ActiveSpeakersChanged, (speakers: Participant[]) => {
        setAgentSpeaking(speakers.some(isInterviewer));
      })
      .on(RoomEvent.TrackSubscribed, (track: RemoteTrack, _pub, participant: RemoteParticipant) => {
        if (track.kind !== Track.Kind.Audio) return;
        const el = track.attach();
        audioRef.current?.appendChild(el);
        if (isInterviewer(participant)) setAgentVoice(track.mediaStreamTrack);
      })
      .on(RoomEvent.TrackUnsubscribed, (track: RemoteTrack, _pub, participant: RemoteParticipant) => {
        track.detach().forEach((el) => el.remove());
        if (isInterviewer(participant)) setAgentVoice(null);
      })
      .on(RoomEvent.AudioPlaybackStatusChanged, () => setAudioBlocked(!room.canPlaybackAudio))
      .on(RoomEvent.ConnectionQualityChanged, (q: ConnectionQuality, p: Participant) => {
        if (p.isLocal) setQuality(q);
      })
      .on(RoomEvent.Disconnected, (reason?: DisconnectReason) => {
        if (reason === DisconnectReason.CLIENT_INITIATED) return;
        const done = lastAttrs['parley.phase'] === 'done' || lastAttrs['parley.phase'] === 'closing';
        end(done || reason === DisconnectReason.ROOM_DELETED ? 'finished' : 'disconnected');
      });

    void (async () => {
      try {
        const redeemed = await api.redeemInvite(invite);
        const lk = await api.participantToken(redeemed.ticket, redeemed.room, redeemed.identity);
        if (cancelled) return;
        await room.connect(lk.url, lk.token);
        if (cancelled) return;
        setPhase('connected');
        try {
          media = await MediaSession.open(lk.token, { onEnded: () => end('finished') });
          if (cancelled) return void media.close();
          setSession(media);
          media.event({ type: 'presence', message: 'candidate joined the room' });
          marker('candidate.consent', { consent: details.consent ?? 'not_asked' });
        } catch {
          // The interview works without liveness; the reaper's webhook path still sees the room.
        }
        setAudioBlocked(!room.canPlaybackAudio);
        const agent = [...room.remoteParticipants.values()].find(isInterviewer);
        if (agent) {
          setAgentPresent(true);
          setAgentAttrs(agent);
        }
        if (devicesRef.current.audioInputId !== null) {
          try {
            await room.localParticipant.setMicrophoneEnabled(true);
            setMicOn(true);
          } catch (err) {
            setMediaError(mediaMessage(err, 'microphone'));
            media?.event({ type: 'log', level: 'warn', message: `microphone failed: ${(err as Error).name}` });
          }
        } else {
          setMediaError('No microphone: type your answers in the box below.');
        }
      } catch (err) {
        if (cancelled) return;
        const { title, detail } = describeInviteError(err);
        end({ error: err instanceof Error && err.name === 'ApiError' ? `${title}. ${detail}` : connectMessage() });
        void room.disconnect();
      }
    })();

    return () => {
      cancelled = true;
      window.removeEventListener('error', onError);
      void media?.close();
      void room.disconnect();
    };
  }, [invite, details.consent]);

  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);

  useEffect(() => {
    logRef.current?.lastElementChild?.scrollIntoView({ block: 'nearest' });
  }, [captions]);

  const toggleMic = async () => {
    const room = roomRef.current;
    if (!room) return;
    try {
      await room.localParticipant.setMicrophoneEnabled(!micOn);
      setMicOn(!micOn);
      setMediaError(null);
    } catch (err) {
      setMediaError(mediaMessage(err, 'microphone'));
    }
  };

  const toggleCam = async () => {
    const room = roomRef.current;
    if (!room) return;
    try {
      const pub = await room.localParticipant.setCameraEnabled(!camOn);
      setCamOn(!camOn);
      setMediaError(null);
      const video = selfVideoRef.current;
      if (video && pub?.track && !camOn) pub.track.attach(video);
    } catch (err) {
      setMediaError(mediaMessage(err, 'camera'));
    }
  };

  const send = async (e: FormEvent) => {
    e.preventDefault();
    const room = roomRef.current;
    const text = answer.trim();
    if (!room || !text) return;
    setAnswer('');
    try {
      const info = await room.localParticipant.sendText(text, { topic: 'lk.chat' });
      setCaptions((list) => [...list, { key: `chat-${info.id}`, who: 'you' as const, text, typed: true }].slice(-60));
    } catch {
      setAnswer(text);
      setMediaError('Your answer could not be sent. Check your connection and try again.');
    }
  };

  const leave = async () => {
    await roomRef.current?.disconnect();
    onEnd('left');
  };

  const state = attrs['parley.state'] ?? '';
  const question = Number(attrs['parley.question'] || 0);
  const total = Number(attrs['parley.questions_total'] || 0);
  const endsAt = Date.parse(attrs['parley.ends_at'] ?? '');
  const timeLeft = Number.isFinite(endsAt)
    ? Math.max(0, Math.round((endsAt - now) / 1000))
    : attrs['parley.time_left_s']
      ? Number(attrs['parley.time_left_s'])
      : null;

  return (
    <section className="room" aria-label="Interview room">
      <h1 tabIndex={-1} className="visually-hidden">
        Interview for {details.jobTitle}
      </h1>
      {phase === 'connecting' && <Notice tone="info">Connecting to the interview room…</Notice>}
      {phase === 'reconnecting' && (
        <Notice tone="error">Connection lost — reconnecting. Your interview is kept; please wait.</Notice>
      )}
      {audioBlocked && (
        <div className="notice notice-info" role="status">
          Your browser paused the interviewer’s voice.{' '}
          <button type="button" className="link" onClick={() => void roomRef.current?.startAudio()}>
            Turn sound on
          </button>
        </div>
      )}
      {mediaError && <Notice tone="error">{mediaError}</Notice>}

      <div className="room-status">
        <RecordingBadge state={recording} policy={details.recordingPolicy} />
        <ConnectionBadge quality={quality} reconnecting={phase === 'reconnecting'} />
      </div>

      <div className="stage">
        <div className={avatar.mode === 'avatar' ? 'tile tile-with-avatar' : 'tile'}>
          {/* The face, where the org's tier has one and it started; the orb otherwise (and meanwhile). */}
          <video
            ref={avatar.videoRef}
            className="avatar-video"
            hidden={avatar.mode !== 'avatar'}
            autoPlay
            playsInline
            muted
            aria-label="The interviewer"
          />
          <audio ref={avatar.audioRef} muted />
          {avatar.mode !== 'avatar' && <Orb state={state} speaking={agentSpeaking} present={agentPresent} />}
          <p className="tile-label">
            Interviewer · <span className="state">{stateLabel(phase, agentPresent, state)}</span>
          </p>
          <video ref={selfVideoRef} className="self-view" hidden={!camOn} muted playsInline aria-label="Your camera" />
        </div>

        <dl className="progress" aria-label="Interview progress">
          <div>
            <dt>Question</dt>
            <dd>{question > 0 && total > 0 ? `${question} of ${total}` : question > 0 ? question : '—'}</dd>
          </div>
          <div>
            <dt>Time left</dt>
            <dd>
              <time>{timeLeft === null ? '—' : formatClock(timeLeft)}</time>
            </dd>
          </div>
        </dl>
      </div>

      <div className="captions">
        <h2 id="captions-title">Captions</h2>
        {/* The log wraps the list (role=log on the <ol> itself would strip its list semantics); it is
            focusable so keyboard users can scroll back through earlier captions. */}
        <div className="captions-log" role="log" aria-live="polite" aria-labelledby="captions-title" tabIndex={0}>
          <ol ref={logRef}>
            {captions.length === 0 && <li className="muted">The interviewer’s words will appear here.</li>}
            {captions.map((c) => (
              <li key={c.key} className={`caption caption-${c.who}`}>
                <span className="who">{c.who === 'you' ? (c.typed ? 'You (typed)' : 'You') : 'Interviewer'}</span>
                {c.text}
              </li>
            ))}
          </ol>
        </div>
      </div>

      <form className="answer" onSubmit={(e) => void send(e)}>
        <label htmlFor="answer">Type your answer</label>
        <div className="answer-row">
          <textarea
            id="answer"
            rows={2}
            value={answer}
            onChange={(e) => setAnswer(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey) {
                e.preventDefault();
                e.currentTarget.form?.requestSubmit();
              }
            }}
            placeholder="Or just speak — Enter sends, Shift+Enter for a new line"
            disabled={phase !== 'connected'}
          />
          <button type="submit" className="primary" disabled={phase !== 'connected' || !answer.trim()}>
            Send
          </button>
        </div>
      </form>

      <div className="controls" role="toolbar" aria-label="Call controls">
        <button type="button" aria-pressed={!micOn} onClick={() => void toggleMic()} disabled={phase !== 'connected'}>
          {micOn ? 'Mute microphone' : 'Unmute microphone'}
        </button>
        <button type="button" aria-pressed={camOn} onClick={() => void toggleCam()} disabled={phase !== 'connected'}>
          {camOn ? 'Turn camera off' : 'Turn camera on'}
        </button>
        <button type="button" className="danger" onClick={() => void leave()}>
          Leave
        </button>
      </div>
      <div ref={audioRef} hidden />
    </section>
  );
}

function stateLabel(phase: string, present: boolean, state: string): string {
  if (phase !== 'connected') return 'connecting';
  if (!present) return 'waiting to join';
  if (state === 'speaking') return 'speaking';
  if (state === 'thinking') return 'thinking';
  return 'listening';
}

function formatClock(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `${m}:${String(s).padStart(2, '0')}`;
}

function mediaMessage(err: unknown, device: 'microphone' | 'camera'): string {
  const name = err instanceof Error ? err.name : '';
  if (name === 'NotAllowedError')
    return `Your browser blocked the ${device}. Allow it in the address bar's site settings${device === 'microphone' ? ', or type your answers below' : ''}.`;
  if (name === 'NotFoundError')
    return `No ${device} was found${device === 'microphone' ? '. You can still type your answers below' : ''}.`;
  return `The ${device} could not be started${device === 'microphone' ? '. You can still type your answers below' : ''}.`;
}

function connectMessage(): string {
  return 'The interview room could not be reached. Check your connection and try again.';
}
