import { describe, expect, it } from 'vitest';
import { MergeInputError } from './errors';
import { timemarkMs } from './run-merge';
import { ffmpegUrl, redactUrls, sourceKind } from './source';

describe('track sources', () => {
  it('accepts paths and http(s) URLs, nothing else ffmpeg would open', () => {
    expect(sourceKind('/rec/a.ogg')).toBe('file');
    expect(sourceKind('rec/a.ogg')).toBe('file');
    expect(sourceKind('https://s3.example/a.ogg?X-Amz-Signature=1')).toBe('http');
    expect(sourceKind('HTTP://s3.example/a.ogg')).toBe('http');
    for (const sneaky of ['concat:/a|/b', 'tcp://10.0.0.1:80', 'file:/x', 'data:,x', '']) {
      expect(sourceKind(sneaky)).toBeUndefined();
    }
    // Whatever else is a local path, and `file:` keeps ffmpeg from reading a protocol into it.
    expect(ffmpegUrl('/rec/concat:x.ogg')).toBe('file:/rec/concat:x.ogg');
    expect(ffmpegUrl('subfile,,start,0,end,9,,:/etc/passwd')).toBe('file:subfile,,start,0,end,9,,:/etc/passwd');
    expect(() => ffmpegUrl('concat:/a|/b')).toThrow(/unsupported/);
  });

  it('strips query strings (presigned signatures) from any text', () => {
    const text =
      'https://s3.example/b/a.ogg?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=ff00: Server returned 403 ' +
      "'http://other/x.ivf#frag'";
    expect(redactUrls(text)).toBe("https://s3.example/b/a.ogg: Server returned 403 'http://other/x.ivf'");
    const err = new MergeInputError('t1', 'https://s3.example/a.ogg?sig=1', 'unreadable', [
      'https://s3.example/a.ogg?sig=1: x',
    ]);
    expect(`${err.message} ${err.source} ${err.stderrTail.join()}`).not.toContain('sig=');
  });

  it("reads ffmpeg's progress time", () => {
    expect(timemarkMs('00:01:02.50')).toBe(62_500);
    expect(timemarkMs('01:00:00.00')).toBe(3_600_000);
    expect(timemarkMs('N/A')).toBeUndefined();
    expect(timemarkMs(undefined)).toBeUndefined();
  });
});
