import { useCallback, useEffect, useImperativeHandle, useRef, useState, type Ref } from 'react';
import { Notice } from '../../components/Notice';
import { describeError } from '../../http';
import { issuePlayback, type Playback, type Recording } from './api';

export interface PlayerHandle {
  /** Moves the player to `seconds` into the file (after it has loaded, when it has not yet). */
  seek(seconds: number): void;
}

// A signed URL lives minutes. It is renewed ahead of its expiry (each renewal is audited, so not
// more often than needed: half its lifetime, at most a minute, before it ends), and the player
// picks up where it was: same time, playing or paused as before.
const RENEW_LEAD_MAX_MS = 60_000;

/** The recording's video on a signed playback URL, renewed before it expires. */
export function RecordingPlayer(props: {
  recording: Recording;
  label: string;
  onTime: (seconds: number) => void;
  ref?: Ref<PlayerHandle>;
}) {
  const { recording, onTime } = props;
  const video = useRef<HTMLVideoElement>(null);
  const [playback, setPlayback] = useState<Playback | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Where to put the player once the (new) source has loaded.
  const restore = useRef<{ time: number; playing: boolean } | null>(null);
  // The URL a load error already triggered a renewal for: one retry per URL, not a loop.
  const retriedUrl = useRef<string | null>(null);

  const renew = useCallback(async () => {
    try {
      const next = await issuePlayback(recording.id);
      const v = video.current;
      if (v && v.currentSrc && v.readyState > 0) restore.current = { time: v.currentTime, playing: !v.paused };
      setPlayback(next);
      setError(null);
    } catch (err) {
      setError(`The recording cannot be played right now. ${describeError(err)}`);
    }
  }, [recording.id]);

  useEffect(() => {
    void renew();
  }, [renew]);

  useEffect(() => {
    if (!playback) return;
    const lifetime = Date.parse(playback.expiresAt) - Date.now();
    const lead = Math.min(RENEW_LEAD_MAX_MS, lifetime / 2);
    const timer = setTimeout(() => void renew(), Math.max(1_000, lifetime - lead));
    return () => clearTimeout(timer);
  }, [playback, renew]);

  useImperativeHandle(
    props.ref,
    () => ({
      seek(seconds: number) {
        const v = video.current;
        if (v && v.readyState > 0) v.currentTime = seconds;
        else restore.current = { time: seconds, playing: false };
      },
    }),
    [],
  );

  const onLoadedMetadata = () => {
    const v = video.current;
    const target = restore.current;
    restore.current = null;
    if (!v || !target) return;
    v.currentTime = target.time;
    if (target.playing) v.play().catch(() => undefined);
  };

  const onError = () => {
    // Most likely the URL expired while the tab slept: one fresh URL, then say so.
    if (playback && retriedUrl.current !== playback.url) {
      retriedUrl.current = playback.url;
      void renew();
    } else {
      setError('The recording could not be loaded. Reload the page to try again.');
    }
  };

  return (
    <div className="player">
      {playback ? (
        <video
          ref={video}
          src={playback.url}
          controls
          preload="metadata"
          playsInline
          aria-label={props.label}
          onLoadedMetadata={onLoadedMetadata}
          onTimeUpdate={(e) => onTime(e.currentTarget.currentTime)}
          onSeeked={(e) => onTime(e.currentTarget.currentTime)}
          onError={onError}
        />
      ) : (
        !error && (
          <p role="status" className="player-placeholder">
            Loading the recording…
          </p>
        )
      )}
      {error && <Notice tone="error">{error}</Notice>}
    </div>
  );
}
