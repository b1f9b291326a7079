// Which ffmpeg/ffprobe to run: FFMPEG_PATH / FFPROBE_PATH when the deployment pins a build (a
// container with its own static binaries), else the ones on PATH (Debian's package here).
// Read per call, not at import, so a test or a worker can set the variables after loading us.

export interface FfmpegBinaries {
  ffmpeg: string;
  ffprobe: string;
}

const fromEnv = (name: string): string | undefined => {
  const value = process.env[name]?.trim();
  return value ? value : undefined;
};

export function ffmpegBinaries(): FfmpegBinaries {
  return { ffmpeg: fromEnv('FFMPEG_PATH') ?? 'ffmpeg', ffprobe: fromEnv('FFPROBE_PATH') ?? 'ffprobe' };
}
