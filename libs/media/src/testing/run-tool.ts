import { execFile } from 'node:child_process';
import { ffmpegBinaries } from '../ffmpeg-binaries';

// Test helpers run ffmpeg/ffprobe to completion and want stdout and stderr as text.

export interface ToolResult {
  stdout: string;
  stderr: string;
}

export function runTool(tool: 'ffmpeg' | 'ffprobe', args: readonly string[], timeoutMs = 60_000): Promise<ToolResult> {
  const command = ffmpegBinaries()[tool];
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err)
          reject(new Error(`${tool} ${args.join(' ')} failed: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
        else resolve({ stdout, stderr });
      },
    );
  });
}
