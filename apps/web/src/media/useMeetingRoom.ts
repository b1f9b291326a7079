import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import {
  ConnectionQuality,
  DisconnectReason,
  type Participant,
  type RemoteTrack,
  Room,
  RoomEvent,
  Track,
  type VideoTrack,
} from 'livekit-client';
import { MediaSession } from '../session/media-session';
import { followReconnects } from '../session/reconnect';

/** A LiveKit URL and token for one meeting room (from user-management). */
export interface RoomConnection {
  url: string;
  token: string;
}

/** Devices to publish: an id, undefined for the browser's default, null for none. */
export interface PublishDevices {
  audioInputId?: string | null;
  videoInputId?: string | null;
}

export type RoomPhase = 'connecting' | 'connected' | 'reconnecting';
export type RoomEnd = 'left' | 'ended' | 'disconnected' | 'failed';

/** One participant as the tiles and the list show them. */
export interface ParticipantView {
  identity: string;
  name: string;
  role: string;
  /** A host of the meeting (user-management's participant role). */
  host: boolean;
  isLocal: boolean;
  isAgent: boolean;
  speaking: boolean;
  micOn: boolean;
  cameraOn: boolean;
  /** The camera track to show: subscribed (remote) or published (local), unmuted. */
  video: VideoTrack | undefined;
  quality: ConnectionQuality;
}

/** What the list says a participant is: candidate, the AI interviewer, or staff (host or not). */
export function roleLabel(p: Pick<ParticipantView, 'role' | 'host'>): string {
  if (p.role === 'candidate') return 'Candidate';
  if (p.role === 'agent') return 'AI interviewer';
  return p.host ? 'Host' : 'Staff';
}

function viewOf(p: Participant, isLocal: boolean): ParticipantView {
  const role = p.isAgent ? 'agent' : (p.attributes['parley.role'] ?? '');
  const cam = p.getTrackPublication(Track.Source.Camera);
  const mic = p.getTrackPublication(Track.Source.Microphone);
  const cameraOn = Boolean(cam && !cam.isMuted && cam.track);
  return {
    identity: p.identity,
    name: p.name || (p.isAgent ? 'Parley interviewer' : role === 'candidate' ? 'Candidate' : 'Staff member'),
    role,
    host: p.attributes['parley.meetingRole'] === 'host',
    isLocal,
    isAgent: p.isAgent,
    speaking: p.isSpeaking,
    micOn: Boolean(mic && !mic.isMuted && mic.track),
    cameraOn,
    video: cameraOn ? (cam!.track as VideoTrack) : undefined,
    quality: p.connectionQuality,
  };
}

const mediaMessage = (err: unknown, device: 'microphone' | 'camera') => {
  const name = err instanceof Error ? err.name : '';
  if (name === 'NotAllowedError')
    return `Your browser blocked the ${device}. Allow it in the site settings and try again.`;
  if (name === 'NotFoundError') return `No ${device} was found.`;
  return `The ${device} could not be started.`;
};

/**
 * A meeting room connection: connects with `connection`, publishes camera and microphone, keeps
 * a snapshot of every participant, opens the media-plane session (heartbeats, telemetry JWT for
 * recording control) and attaches remote audio to `audioContainer`. `onEnd` is called once when
 * the page is out of the room for good (left, room ended, or the connection could not be kept).
 */
export function useMeetingRoom(
  connection: RoomConnection,
  options: { devices?: PublishDevices; audioContainer: RefObject<HTMLElement | null>; onEnd: (end: RoomEnd) => void },
) {
  const roomRef = useRef<Room | null>(null);
  const onEndRef = useRef(options.onEnd);
  onEndRef.current = options.onEnd;
  const devicesRef = useRef(options.devices ?? {});
  const audioRef = options.audioContainer;

  const [phase, setPhase] = useState<RoomPhase>('connecting');
  const [session, setSession] = useState<MediaSession | null>(null);
  const [mediaError, setMediaError] = useState<string | null>(null);
  const [audioBlocked, setAudioBlocked] = useState(false);
  const [participants, setParticipants] = useState<ParticipantView[]>([]);

  useEffect(() => {
    const devices = devicesRef.current;
    const room = new Room({
      adaptiveStream: true,
      dynacast: true,
      audioCaptureDefaults: { deviceId: devices.audioInputId ?? undefined },
      videoCaptureDefaults: {
        deviceId: devices.videoInputId ?? undefined,
        resolution: { width: 640, height: 360, frameRate: 24 },
      },
    });
    roomRef.current = room;
    let cancelled = false;
    let ended = false;
    let media: MediaSession | null = null;

    const snapshot = () => {
      if (cancelled) return;
      setParticipants([
        viewOf(room.localParticipant, true),
        ...[...room.remoteParticipants.values()].map((p) => viewOf(p, false)),
      ]);
    };
    const end = (why: RoomEnd) => {
      if (ended || cancelled) return;
      ended = true;
      media?.event({ type: 'marker', message: 'participant.left_room', data: { reason: why } });
      void media?.close();
      onEndRef.current(why);
    };
    const marker = (message: string, data?: Record<string, string>) => media?.event({ type: 'marker', message, data });

    followReconnects(room, setPhase, marker)
      .on(RoomEvent.ParticipantConnected, snapshot)
      .on(RoomEvent.ParticipantDisconnected, snapshot)
      .on(RoomEvent.ParticipantNameChanged, snapshot)
      .on(RoomEvent.ParticipantAttributesChanged, snapshot)
      .on(RoomEvent.TrackPublished, snapshot)
      .on(RoomEvent.TrackUnpublished, snapshot)
      .on(RoomEvent.TrackMuted, snapshot)
      .on(RoomEvent.TrackUnmuted, snapshot)
      .on(RoomEvent.LocalTrackPublished, snapshot)
      .on(RoomEvent.LocalTrackUnpublished, snapshot)
      .on(RoomEvent.ActiveSpeakersChanged, snapshot)
      .on(RoomEvent.ConnectionQualityChanged, snapshot)
      .on(RoomEvent.TrackSubscribed, (track: RemoteTrack) => {
        if (track.kind === Track.Kind.Audio) audioRef.current?.appendChild(track.attach());
        snapshot();
      })
      .on(RoomEvent.TrackUnsubscribed, (track: RemoteTrack) => {
        if (track.kind === Track.Kind.Audio) track.detach().forEach((el) => el.remove());
        snapshot();
      })
      .on(RoomEvent.AudioPlaybackStatusChanged, () => setAudioBlocked(!room.canPlaybackAudio))
      .on(RoomEvent.Reconnected, snapshot)
      .on(RoomEvent.Disconnected, (reason?: DisconnectReason) => {
        if (reason === DisconnectReason.CLIENT_INITIATED) return;
        end(reason === DisconnectReason.ROOM_DELETED ? 'ended' : 'disconnected');
      });

    void (async () => {
      try {
        await room.connect(connection.url, connection.token);
      } catch {
        if (!cancelled) end('failed');
        return;
      }
      if (cancelled) return void room.disconnect();
      setPhase('connected');
      setAudioBlocked(!room.canPlaybackAudio);
      snapshot();
      try {
        media = await MediaSession.open(connection.token, { onEnded: () => end('ended') });
        if (cancelled) return void media.close();
        setSession(media);
        media.event({ type: 'presence', message: 'participant joined the meeting' });
      } catch {
        // The meeting works without liveness; recording controls wait for it.
      }
      const problems: string[] = [];
      if (devices.videoInputId !== null) {
        await room.localParticipant.setCameraEnabled(true).catch((err: unknown) => {
          problems.push(mediaMessage(err, 'camera'));
        });
      }
      if (devices.audioInputId !== null) {
        await room.localParticipant.setMicrophoneEnabled(true).catch((err: unknown) => {
          problems.push(mediaMessage(err, 'microphone'));
        });
      }
      if (!cancelled && problems.length > 0) setMediaError(problems.join(' '));
      snapshot();
    })();

    return () => {
      cancelled = true;
      void media?.close();
      void room.disconnect();
      roomRef.current = null;
    };
  }, [connection.url, connection.token, audioRef]);

  const toggle = useCallback(async (device: 'camera' | 'microphone') => {
    const room = roomRef.current;
    if (!room) return;
    const local = room.localParticipant;
    try {
      if (device === 'camera') await local.setCameraEnabled(!local.isCameraEnabled);
      else await local.setMicrophoneEnabled(!local.isMicrophoneEnabled);
      setMediaError(null);
    } catch (err) {
      setMediaError(mediaMessage(err, device));
    }
    setParticipants((list) => list.map((p) => (p.isLocal ? viewOf(local, true) : p)));
  }, []);

  const leave = useCallback(async () => {
    const room = roomRef.current;
    await room?.disconnect();
    onEndRef.current('left');
  }, []);

  const local = participants.find((p) => p.isLocal);
  return {
    phase,
    session,
    participants,
    localIdentity: local?.identity ?? null,
    quality: local?.quality ?? ConnectionQuality.Unknown,
    micOn: local?.micOn ?? false,
    camOn: local?.cameraOn ?? false,
    mediaError,
    audioBlocked,
    startAudio: () => void roomRef.current?.startAudio().then(() => setAudioBlocked(false)),
    toggleCamera: () => void toggle('camera'),
    toggleMicrophone: () => void toggle('microphone'),
    leave,
  };
}
