import { useEffect, useRef, type ReactNode } from 'react';
import type { VideoTrack } from 'livekit-client';
import { Notice } from '../components/Notice';
import { RecordingControls } from './RecordingControls';
import { useRecordingStatus } from './recording';
import { ConnectionBadge, RecordingBadge } from './StatusBadges';
import {
  roleLabel,
  useMeetingRoom,
  type ParticipantView,
  type PublishDevices,
  type RoomConnection,
  type RoomEnd,
} from './useMeetingRoom';

interface Props {
  connection: RoomConnection;
  title: string;
  /** A line under the title (the meeting's time). */
  subtitle?: ReactNode;
  /** Staff start and stop the recording; a candidate only sees its state. */
  canControlRecording: boolean;
  devices?: PublishDevices;
  onEnd: (end: RoomEnd) => void;
}

/**
 * A live meeting, for staff and candidate guests alike: a video tile per participant, the
 * participants list, microphone, camera and leave, the connection and recording status, and
 * (for staff) the recording controls.
 */
export function MeetingRoom({ connection, title, subtitle, canControlRecording, devices, onEnd }: Props) {
  const audioRef = useRef<HTMLDivElement>(null);
  const room = useMeetingRoom(connection, { devices, audioContainer: audioRef, onEnd });
  const recording = useRecordingStatus(room.session);
  const people = room.participants;
  const nameOf = (identity: string) =>
    identity === room.localIdentity ? 'You' : (people.find((p) => p.identity === identity)?.name ?? 'Someone');
  const tiles = people.filter((p) => !p.isAgent);
  const connected = room.phase !== 'connecting';

  useEffect(() => {
    document.querySelector<HTMLElement>('#meeting-title')?.focus();
  }, []);

  return (
    <section className="meeting-room" aria-labelledby="meeting-title">
      <div className="meeting-head">
        <h1 id="meeting-title" tabIndex={-1}>
          {title}
        </h1>
        {subtitle && <p className="muted">{subtitle}</p>}
      </div>

      {room.phase === 'connecting' && <Notice tone="info">Connecting to the meeting…</Notice>}
      {room.phase === 'reconnecting' && (
        <Notice tone="error">Connection lost — reconnecting. You are still in the meeting; please wait.</Notice>
      )}
      {room.audioBlocked && (
        <div className="notice notice-info" role="status">
          Your browser paused the other participants’ sound.{' '}
          <button type="button" className="link" onClick={room.startAudio}>
            Turn sound on
          </button>
        </div>
      )}
      {room.mediaError && <Notice tone="error">{room.mediaError}</Notice>}

      <div className="room-status">
        <RecordingBadge state={room.session ? (recording.status?.state ?? null) : null} />
        <ConnectionBadge quality={room.quality} reconnecting={room.phase === 'reconnecting'} />
      </div>

      <div className="meeting-layout">
        <ul className="meeting-stage" aria-label="Video">
          {tiles.map((p) => (
            <li key={p.identity}>
              <Tile participant={p} />
            </li>
          ))}
        </ul>

        <aside className="meeting-side" aria-label="Meeting details">
          <h2 id="participants-title">Participants ({people.length})</h2>
          <ul className="participant-list" aria-labelledby="participants-title">
            {people.map((p) => (
              <li key={p.identity} className={p.speaking ? 'is-speaking' : undefined}>
                <span className="participant-name">
                  {p.name}
                  {p.isLocal && ' (you)'}
                </span>
                <span className="muted participant-meta">
                  {roleLabel(p)}
                  {!p.isAgent &&
                    ` · ${p.micOn ? 'microphone on' : 'muted'} · ${p.cameraOn ? 'camera on' : 'camera off'}`}
                  {p.speaking && ' · speaking'}
                </span>
              </li>
            ))}
          </ul>
          {canControlRecording && (
            <RecordingControls
              status={recording.status}
              busy={recording.busy}
              error={recording.error}
              ready={room.session !== null}
              localIdentity={room.localIdentity}
              nameOf={nameOf}
              act={recording.act}
            />
          )}
        </aside>
      </div>

      <div className="controls" role="group" aria-label="Call controls">
        <button type="button" onClick={room.toggleMicrophone} disabled={!connected}>
          {room.micOn ? 'Mute microphone' : 'Unmute microphone'}
        </button>
        <button type="button" onClick={room.toggleCamera} disabled={!connected}>
          {room.camOn ? 'Turn camera off' : 'Turn camera on'}
        </button>
        <button type="button" className="danger" onClick={() => void room.leave()}>
          Leave meeting
        </button>
      </div>
      <div ref={audioRef} hidden />
    </section>
  );
}

function Tile({ participant: p }: { participant: ParticipantView }) {
  const label = p.isLocal ? `${p.name} (you)` : p.name;
  return (
    <figure className={`meeting-tile${p.speaking ? ' is-speaking' : ''}`} data-identity={p.identity}>
      {p.video ? (
        <TrackVideo track={p.video} local={p.isLocal} label={p.isLocal ? 'Your camera' : `Camera of ${p.name}`} />
      ) : (
        <div className="tile-avatar" aria-hidden="true">
          {initials(p.name)}
        </div>
      )}
      <figcaption>
        {label}
        {!p.micOn && <span className="tile-muted"> · muted</span>}
        {!p.video && <span className="visually-hidden"> · camera off</span>}
      </figcaption>
    </figure>
  );
}

function TrackVideo({ track, local, label }: { track: VideoTrack; local: boolean; label: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    track.attach(el);
    return () => {
      track.detach(el);
    };
  }, [track]);
  return <video ref={ref} className={local ? 'is-local' : 'is-remote'} autoPlay playsInline muted aria-label={label} />;
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '?') + (parts.length > 1 ? (parts[parts.length - 1][0] ?? '') : '')).toUpperCase();
}
