import { useEffect, useRef, useState } from 'react';
import { Notice } from '../components/Notice';

/** The devices the candidate picked: an id, undefined for the browser's default, null for none. */
export interface ChosenDevices {
  audioInputId: string | undefined | null;
  videoInputId: string | undefined | null;
}

type Problem = { device: 'microphone' | 'camera'; kind: 'denied' | 'missing' | 'failed' };

interface Props {
  onBack: () => void;
  onContinue: (devices: ChosenDevices) => void;
}

/**
 * Camera and microphone preview before joining: a live level meter, device pickers and a plain
 * message for each way a device can be unavailable. Nothing here is sent anywhere; the preview
 * tracks stop when the page is left.
 */
export function DeviceCheck({ onBack, onContinue }: Props) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const [mics, setMics] = useState<MediaDeviceInfo[]>([]);
  const [cams, setCams] = useState<MediaDeviceInfo[]>([]);
  const [micId, setMicId] = useState<string | undefined>(undefined);
  const [camId, setCamId] = useState<string | undefined>(undefined);
  const [hasMic, setHasMic] = useState(false);
  const [hasCam, setHasCam] = useState(false);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [level, setLevel] = useState(0);
  const [checking, setChecking] = useState(true);

  useEffect(() => {
    let live = true;
    const stops: Array<() => void> = [];
    setChecking(true);
    void (async () => {
      const found: Problem[] = [];
      const audio = await capture({ audio: micId ? { deviceId: { exact: micId } } : true }, 'microphone', found);
      const video = await capture(
        { video: camId ? { deviceId: { exact: camId }, width: 640, height: 360 } : { width: 640, height: 360 } },
        'camera',
        found,
      );
      if (!live) {
        audio?.getTracks().forEach((t) => t.stop());
        video?.getTracks().forEach((t) => t.stop());
        return;
      }
      for (const s of [audio, video]) if (s) stops.push(() => s.getTracks().forEach((t) => t.stop()));
      setProblems(found);
      setHasMic(Boolean(audio));
      setHasCam(Boolean(video));
      if (video && videoRef.current) {
        videoRef.current.srcObject = video;
        void videoRef.current.play().catch(() => undefined);
      }
      if (audio) stops.push(meterLevel(audio, (v) => live && setLevel(v)));
      // Labels are only given once a permission was granted, so the list comes after capture.
      const devices = await navigator.mediaDevices?.enumerateDevices().catch(() => []);
      if (!live || !devices) return;
      setMics(devices.filter((d) => d.kind === 'audioinput' && d.deviceId));
      setCams(devices.filter((d) => d.kind === 'videoinput' && d.deviceId));
      setChecking(false);
    })();
    return () => {
      live = false;
      stops.forEach((stop) => stop());
    };
  }, [micId, camId]);

  const micProblem = problems.find((p) => p.device === 'microphone');
  const camProblem = problems.find((p) => p.device === 'camera');
  const levelPct = Math.min(100, Math.round(level * 300));

  return (
    <section className="card">
      <h1 tabIndex={-1}>Check your camera and microphone</h1>
      <p className="muted">
        Nothing is recorded on this page. Speak to see the level move. The camera is optional; without a microphone you
        can type your answers.
      </p>
      <div className="device-check">
        <div className="device-preview">
          <video ref={videoRef} muted playsInline aria-label="Your camera preview" hidden={!hasCam} />
          {!hasCam && <div className="device-preview-empty">No camera picture</div>}
        </div>
        <div className="device-controls">
          <label htmlFor="mic-select">Microphone</label>
          <select
            id="mic-select"
            value={micId ?? ''}
            onChange={(e) => setMicId(e.target.value || undefined)}
            disabled={mics.length === 0}
          >
            {mics.length === 0 && <option value="">No microphone found</option>}
            {mics.map((d, i) => (
              <option key={d.deviceId} value={d.deviceId}>
                {d.label || `Microphone ${i + 1}`}
              </option>
            ))}
          </select>
          <div
            className="level"
            role="meter"
            aria-label="Microphone level"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={levelPct}
          >
            <span style={{ width: `${levelPct}%` }} />
          </div>
          <label htmlFor="cam-select">Camera</label>
          <select
            id="cam-select"
            value={camId ?? ''}
            onChange={(e) => setCamId(e.target.value || undefined)}
            disabled={cams.length === 0}
          >
            {cams.length === 0 && <option value="">No camera found</option>}
            {cams.map((d, i) => (
              <option key={d.deviceId} value={d.deviceId}>
                {d.label || `Camera ${i + 1}`}
              </option>
            ))}
          </select>
        </div>
      </div>
      {micProblem && <Notice tone="error">{problemMessage(micProblem)}</Notice>}
      {camProblem && <Notice tone="info">{problemMessage(camProblem)}</Notice>}
      {!checking && !micProblem && !camProblem && <Notice tone="success">Your camera and microphone work.</Notice>}
      <div className="actions">
        <button type="button" className="secondary" onClick={onBack}>
          Back
        </button>
        <button
          type="button"
          className="primary"
          disabled={checking && problems.length === 0}
          onClick={() => onContinue({ audioInputId: hasMic ? micId : null, videoInputId: hasCam ? camId : null })}
        >
          {hasMic ? 'Continue' : 'Continue without a microphone'}
        </button>
      </div>
    </section>
  );
}

async function capture(
  constraints: MediaStreamConstraints,
  device: Problem['device'],
  problems: Problem[],
): Promise<MediaStream | null> {
  if (!navigator.mediaDevices?.getUserMedia) {
    problems.push({ device, kind: 'failed' });
    return null;
  }
  try {
    return await navigator.mediaDevices.getUserMedia(constraints);
  } catch (err) {
    const name = err instanceof Error ? err.name : '';
    problems.push({
      device,
      kind:
        name === 'NotAllowedError' || name === 'SecurityError'
          ? 'denied'
          : name === 'NotFoundError' || name === 'OverconstrainedError'
            ? 'missing'
            : 'failed',
    });
    return null;
  }
}

/** Calls `onLevel` with the microphone's RMS level (0..1) about 15 times a second; returns a stop. */
function meterLevel(stream: MediaStream, onLevel: (level: number) => void): () => void {
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = 1024;
  context.createMediaStreamSource(stream).connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  const timer = setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const v of samples) sum += v * v;
    onLevel(Math.sqrt(sum / samples.length));
  }, 66);
  return () => {
    clearInterval(timer);
    void context.close();
  };
}

function problemMessage(p: Problem): string {
  const what = p.device === 'microphone' ? 'microphone' : 'camera';
  const after = p.device === 'microphone' ? ' You can still join and type your answers.' : ' You can join without it.';
  if (p.kind === 'denied')
    return `Your browser blocked the ${what}. Allow it from the camera icon in the address bar, then reload.${after}`;
  if (p.kind === 'missing') return `No ${what} was found. Connect one and reload.${after}`;
  return `The ${what} could not be started. Another app may be using it.${after}`;
}
