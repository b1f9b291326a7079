import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { MergeVerificationError, stderrTail } from './errors';
import type { Container, MergePlan, StreamRole } from './merge-plan';
import { roleOf } from './roles';
import { runFfprobe } from './run-ffprobe';

// After ffmpeg exits 0 the output is probed, not trusted: a merge that silently dropped a
// stream or stopped early must fail the recording, not publish it.

export interface MergedStream {
  index: number;
  type: 'audio' | 'video';
  codec: string;
  title: string;
  role: StreamRole;
  width?: number;
  height?: number;
}

export interface MergeResult {
  durationMs: number;
  sizeBytes: number;
  /** Distinct codecs in stream order, e.g. ['vp8', 'opus']. */
  codecs: string[];
  container: Container;
  streams: MergedStream[];
  /** What the plan expected (max over tracks of offset + duration). */
  expectedDurationMs: number;
}

const probeJson = z.object({
  format: z.object({ format_name: z.string(), duration: z.coerce.number().optional() }),
  streams: z.array(
    z.object({
      index: z.number().int(),
      codec_type: z.string().optional(),
      codec_name: z.string().optional(),
      width: z.number().int().optional(),
      height: z.number().int().optional(),
      tags: z.record(z.string(), z.string()).optional(),
    }),
  ),
});

const ROLES = new Set<string>(['mix', 'composite', 'interviewer', 'candidate', 'participant']);

/** The default tolerance on the duration: max(500 ms, 1 %). */
export const defaultToleranceMs = (expectedMs: number) => Math.max(500, expectedMs * 0.01);

export async function verifyMerged(outputPath: string, plan: MergePlan, toleranceMs?: number): Promise<MergeResult> {
  const run = await runFfprobe(
    [
      '-v',
      'error',
      '-of',
      'json',
      '-show_format',
      '-show_streams',
      '-protocol_whitelist',
      'file',
      `file:${outputPath}`,
    ],
    { timeoutMs: 60_000 },
  );
  if (run.code !== 0) throw new MergeVerificationError([`output unreadable: ${stderrTail(run.stderr).at(-1)}`]);
  const parsed = probeJson.safeParse(parseJson(run.stdout));
  if (!parsed.success) throw new MergeVerificationError(['ffprobe printed no usable description of the output']);
  const { format } = parsed.data;

  const streams: MergedStream[] = parsed.data.streams
    .filter((s) => s.codec_type === 'audio' || s.codec_type === 'video')
    .map((s) => {
      const tags = lowerKeys(s.tags ?? {});
      // WebM keeps title and role as tags; MP4 only a handler name, so the role follows from it.
      const title = tags.title ?? tags.handler_name ?? '';
      return {
        index: s.index,
        type: s.codec_type as 'audio' | 'video',
        codec: s.codec_name ?? 'unknown',
        title,
        role: ROLES.has(tags.role ?? '') ? (tags.role as StreamRole) : inferredRole(title),
        ...(s.width && s.height ? { width: s.width, height: s.height } : {}),
      };
    });
  const durationMs = Math.round((format.duration ?? 0) * 1000);

  const problems: string[] = [];
  const container: Container = format.format_name.includes('mp4') ? 'mp4' : 'webm';
  const expectedFormat = plan.container === 'mp4' ? 'mp4' : 'webm';
  if (!format.format_name.includes(expectedFormat)) {
    problems.push(`container ${format.format_name}, expected ${plan.container}`);
  }
  const tolerance = toleranceMs ?? defaultToleranceMs(plan.expectedDurationMs);
  if (Math.abs(durationMs - plan.expectedDurationMs) > tolerance) {
    problems.push(`duration ${durationMs} ms, expected ${plan.expectedDurationMs} ± ${Math.round(tolerance)} ms`);
  }
  if (streams.length !== plan.streams.length) {
    problems.push(`${streams.length} streams, expected ${plan.streams.length}`);
  }
  for (const expected of plan.streams) {
    const actual = streams[expected.index];
    const describe = `stream ${expected.index} (${expected.type} ${expected.codec} "${expected.title}")`;
    if (!actual) problems.push(`${describe} is missing`);
    else if (actual.type !== expected.type || actual.codec !== expected.codec || actual.title !== expected.title) {
      problems.push(`${describe} is ${actual.type} ${actual.codec} "${actual.title}"`);
    }
  }
  if (problems.length > 0) throw new MergeVerificationError(problems);

  const { size } = await stat(outputPath);
  return {
    durationMs,
    sizeBytes: size,
    codecs: [...new Set(streams.map((s) => s.codec))],
    container,
    streams,
    expectedDurationMs: plan.expectedDurationMs,
  };
}

function lowerKeys(tags: Record<string, string>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(tags).map(([key, value]) => [key.toLowerCase(), value]));
}

function inferredRole(title: string): StreamRole {
  if (title === 'mix' || title === 'composite') return title;
  return roleOf(title);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
