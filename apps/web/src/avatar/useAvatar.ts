import { useEffect, useRef, useState } from 'react';
import type { MediaSession } from '../session/media-session';
import type { AvatarRenderer } from './avatar-renderer';
import { rendererFor } from './renderers';
import { fallbackReason, requestAvatarSession } from './avatar-session';

/** How long the face may take to show its first frame before the orb stays. */
const START_TIMEOUT_MS = 10_000;

export type AvatarMode = 'orb' | 'starting' | 'avatar';

/**
 * The interviewer's face when the org's tier has one and the vendor answers; the orb otherwise.
 * The fallback is automatic and final for the session: a refusal, a failed or slow start, or a
 * face that stops all leave the orb, each with a telemetry marker saying why. The orb shows while
 * the face is starting.
 */
export function useAvatar(session: MediaSession | null, voice: MediaStreamTrack | null) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const audioRef = useRef<HTMLAudioElement>(null);
  const [mode, setMode] = useState<AvatarMode>('orb');
  const renderer = useRef<AvatarRenderer | null>(null);

  useEffect(() => {
    const token = session?.token;
    if (!session || !token) return;
    const marker = (message: string, data: Record<string, string>) => session.event({ type: 'marker', message, data });
    let live = true;
    const fallBack = (reason: string) => {
      if (!live) return;
      setMode('orb');
      marker('avatar.fallback', { reason });
      void renderer.current?.stop();
      renderer.current = null;
    };
    void (async () => {
      try {
        const grant = await requestAvatarSession(token);
        const factory = await rendererFor(grant);
        if (!live) return;
        if (!factory) return fallBack(`no_browser_adapter_${grant.vendor}`);
        if (!videoRef.current || !audioRef.current) return fallBack('no_tile');
        setMode('starting');
        const created = await factory(grant, videoRef.current, audioRef.current);
        renderer.current = created;
        created.onFailure(fallBack);
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('start_timeout')), START_TIMEOUT_MS);
        });
        await Promise.race([created.start(), timeout]).finally(() => clearTimeout(timer));
        if (!live) return void created.stop();
        setMode('avatar');
        marker('avatar.live', { vendor: grant.vendor });
      } catch (err) {
        fallBack(fallbackReason(err));
      }
    })();
    return () => {
      live = false;
      void renderer.current?.stop();
      renderer.current = null;
    };
  }, [session]);

  // Lip sync: the face follows the interviewer's voice once both are there.
  useEffect(() => {
    if (mode === 'avatar' && voice) renderer.current?.followVoice(voice);
  }, [mode, voice]);

  return { mode, videoRef, audioRef };
}
