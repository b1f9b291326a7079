import { readFile, writeFile } from 'node:fs/promises';

// IVF as Parley's Go recorder writes it (pion's ivfwriter with WithFrameRate(1, 90000) and
// WithDirectPTS): 90 kHz timestamps, and the frame count where ffmpeg reads the duration. ffmpeg's
// own IVF muxer does neither (and refuses H.264), so test tracks are rewritten into this shape.

export interface IvfFrame {
  /** In the file's time base. */
  pts: number;
  data: Buffer;
}

export interface IvfFile {
  fourcc: string;
  width: number;
  height: number;
  timebase: { num: number; den: number };
  frames: IvfFrame[];
}

const HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 12;

export function parseIvf(buffer: Buffer): IvfFile {
  if (buffer.toString('ascii', 0, 4) !== 'DKIF') throw new Error('not an IVF file');
  const headerBytes = buffer.readUInt16LE(6);
  const frames: IvfFrame[] = [];
  for (let at = headerBytes; at + FRAME_HEADER_BYTES <= buffer.length;) {
    const size = buffer.readUInt32LE(at);
    const pts = Number(buffer.readBigUInt64LE(at + 4));
    frames.push({ pts, data: buffer.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + size) });
    at += FRAME_HEADER_BYTES + size;
  }
  return {
    fourcc: buffer.toString('ascii', 8, 12),
    width: buffer.readUInt16LE(12),
    height: buffer.readUInt16LE(14),
    timebase: { den: buffer.readUInt32LE(16), num: buffer.readUInt32LE(20) },
    frames,
  };
}

export function serializeIvf(file: IvfFile): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.write('DKIF', 0, 'ascii');
  header.writeUInt16LE(0, 4);
  header.writeUInt16LE(HEADER_BYTES, 6);
  header.write(file.fourcc.padEnd(4).slice(0, 4), 8, 'ascii');
  header.writeUInt16LE(file.width, 12);
  header.writeUInt16LE(file.height, 14);
  header.writeUInt32LE(file.timebase.den, 16);
  header.writeUInt32LE(file.timebase.num, 20);
  // pion writes the frame count here; ffmpeg reads these bytes as the duration.
  header.writeUInt32LE(file.frames.length, 24);
  const parts: Buffer[] = [header];
  for (const frame of file.frames) {
    const frameHeader = Buffer.alloc(FRAME_HEADER_BYTES);
    frameHeader.writeUInt32LE(frame.data.length, 0);
    frameHeader.writeBigUInt64LE(BigInt(frame.pts), 4);
    parts.push(frameHeader, frame.data);
  }
  return Buffer.concat(parts);
}

/** Rewrites an IVF file to 90 kHz timestamps (as pion writes them). */
export async function rewriteIvfTo90kHz(path: string): Promise<void> {
  const file = parseIvf(await readFile(path));
  const scale = (90_000 * file.timebase.num) / file.timebase.den;
  await writeFile(
    path,
    serializeIvf({
      ...file,
      timebase: { num: 1, den: 90_000 },
      frames: file.frames.map((f) => ({ pts: Math.round(f.pts * scale), data: f.data })),
    }),
  );
}

/**
 * Annex-B H.264 (with access unit delimiters) split into one IVF frame per access unit, fourcc
 * H264 — the shape a recorder gets when it writes each RTP-depacketized frame as it arrives.
 */
export function annexBToIvf(annexB: Buffer, width: number, height: number, fps: number): Buffer {
  const starts: number[] = [];
  for (let i = 0; i + 3 < annexB.length; i++) {
    // 00 00 01 09: an access unit delimiter (NAL type 9), optionally with a fourth leading zero.
    if (annexB[i] === 0 && annexB[i + 1] === 0 && annexB[i + 2] === 1 && (annexB[i + 3] & 0x1f) === 9) {
      starts.push(i > 0 && annexB[i - 1] === 0 ? i - 1 : i);
    }
  }
  const frames = starts.map((start, n) => ({
    pts: Math.round((n * 90_000) / fps),
    data: annexB.subarray(start, starts[n + 1] ?? annexB.length),
  }));
  return serializeIvf({ fourcc: 'H264', width, height, timebase: { num: 1, den: 90_000 }, frames });
}
