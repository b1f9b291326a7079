import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOpenAiStandIn, tone, type OpenAiStandIn } from '../../../test/support/openai-stand-in';
import { OpenAiChatModel, OpenAiSpeechToText, OpenAiTextToSpeech } from './openai-compatible';
import { ProviderError } from './ports';

// Against a local stand-in speaking the documented OpenAI API: the real SDK, real HTTP.

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err instanceof ProviderError) return err;
  throw new Error(`expected a ProviderError, got ${String(err)}`);
}

async function collect(stream: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const piece of stream) out.push(piece);
  return out;
}

const messages = [
  { role: 'system' as const, content: 'You are an interviewer.' },
  { role: 'user' as const, content: 'I worked on a database.' },
];

describe('OpenAI-compatible adapters', () => {
  let api: OpenAiStandIn;
  let connection: { baseURL: string; apiKey: string; timeoutMs: number; maxRetries: number };

  beforeAll(async () => {
    api = await startOpenAiStandIn();
    connection = { baseURL: api.url, apiKey: api.apiKey, timeoutMs: 2_000, maxRetries: 0 };
  });
  afterAll(() => api.close());
  beforeEach(() => {
    api.requests.length = 0;
    api.setStream({});
    api.setChat((call) => `You said: ${String(call.messages.at(-1)?.content)}`);
  });

  describe(OpenAiChatModel.name, () => {
    it('completes a chat and sends the documented request', async () => {
      const chat = new OpenAiChatModel({ ...connection, model: 'gpt-4o-mini' });
      const answer = await chat.complete({ messages, temperature: 0.2, maxTokens: 50 });
      expect(answer).toBe('You said: I worked on a database.');
      const [request] = api.requestsTo('/v1/chat/completions');
      expect(request!.headers.authorization).toBe(`Bearer ${api.apiKey}`);
      expect(request!.body).toEqual({
        model: 'gpt-4o-mini',
        messages,
        temperature: 0.2,
        max_tokens: 50,
        stream: false,
      });
      expect(chat.label).toBe('openai:gpt-4o-mini');
    });

    it('streams the answer as text deltas', async () => {
      const chat = new OpenAiChatModel({ ...connection, model: 'gpt-4o-mini' });
      const pieces = await collect(chat.stream({ messages }));
      expect(pieces.length).toBeGreaterThan(3);
      expect(pieces.join('')).toBe('You said: I worked on a database.');
      expect(api.requestsTo('/v1/chat/completions')[0]!.body.stream).toBe(true);
    });

    it('asks for structured output with json_schema, strict', async () => {
      const schema = {
        type: 'object',
        properties: { question: { type: ['string', 'null'] } },
        required: ['question'],
        additionalProperties: false,
      };
      api.setJson((call) => ({ question: `next, given ${call.name}` }));
      const chat = new OpenAiChatModel({ ...connection, model: 'gpt-4o-mini' });
      const answer = await chat.complete({ messages, jsonSchema: { name: 'next_turn', schema } });
      expect(JSON.parse(answer)).toEqual({ question: 'next, given next_turn' });
      expect(api.requests[0]!.body.response_format).toEqual({
        type: 'json_schema',
        json_schema: { name: 'next_turn', schema, strict: true },
      });
      // Streamed structured output arrives as JSON text too.
      const streamed = await collect(chat.stream({ messages, jsonSchema: { name: 'next_turn', schema } }));
      expect(JSON.parse(streamed.join(''))).toEqual({ question: 'next, given next_turn' });
    });

    it('maps a failing vendor to ProviderError unavailable, after the one retry it is allowed', async () => {
      api.setChat('fail');
      const chat = new OpenAiChatModel({ ...connection, maxRetries: 1, model: 'gpt-4o-mini' });
      const err = await rejection(chat.complete({ messages }));
      expect(err.kind).toBe('unavailable');
      expect(err.message).toContain('500');
      expect(api.requestsTo('/v1/chat/completions')).toHaveLength(2);
      expect((await rejection(collect(chat.stream({ messages })))).kind).toBe('unavailable');
    });

    it('cuts a hanging vendor at the configured timeout (complete and stream)', async () => {
      api.setChat('hang');
      // maxRetries 1: the SDK would retry after its own timeout; the deadline covers both.
      const chat = new OpenAiChatModel({ ...connection, timeoutMs: 300, maxRetries: 1, model: 'gpt-4o-mini' });
      let started = Date.now();
      const err = await rejection(chat.complete({ messages }));
      expect(err.kind).toBe('timeout');
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(Date.now() - started).toBeLessThan(1_000);
      started = Date.now();
      expect((await rejection(collect(chat.stream({ messages })))).kind).toBe('timeout');
      expect(Date.now() - started).toBeLessThan(1_000);
    });

    it('cuts a stream that stalls mid-answer, but not one that keeps moving or a slow reader', async () => {
      const chat = new OpenAiChatModel({ ...connection, timeoutMs: 200, model: 'gpt-4o-mini' });
      api.setStream({ stallAfter: 2 });
      const seen: string[] = [];
      const stalled = (async () => {
        for await (const piece of chat.stream({ messages })) seen.push(piece);
      })();
      expect((await rejection(stalled)).kind).toBe('timeout');
      expect(seen).toEqual(['You ', 'said: ']);

      // The caller can cut a stalled stream too.
      const controller = new AbortController();
      const cut = collect(chat.stream({ messages, signal: controller.signal }));
      setTimeout(() => controller.abort(), 50);
      expect((await rejection(cut)).message).toContain('aborted');

      // Eight chunks 50 ms apart: longer than the timeout in all, never idle for as long.
      api.setStream({ delayMs: 50 });
      expect((await collect(chat.stream({ messages }))).join('')).toBe('You said: I worked on a database.');

      // The caller's time with a chunk does not count against the vendor.
      api.setStream({});
      api.setChat(() => 'one two three');
      const slowReader: string[] = [];
      for await (const piece of chat.stream({ messages })) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        slowReader.push(piece);
      }
      expect(slowReader.join('')).toBe('one two three');
    });

    it('stops at once when the caller aborts', async () => {
      api.setChat('hang');
      const chat = new OpenAiChatModel({ ...connection, model: 'gpt-4o-mini' });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      const started = Date.now();
      const err = await rejection(chat.complete({ messages, signal: controller.signal }));
      expect(err.message).toContain('aborted');
      expect(Date.now() - started).toBeLessThan(500);
    });

    it('reports a wrong key as refused, and not ready', async () => {
      const chat = new OpenAiChatModel({ ...connection, apiKey: 'sk-wrong', model: 'gpt-4o-mini' });
      const err = await rejection(chat.complete({ messages }));
      expect(err.kind).toBe('refused');
      expect(err.message).toContain('401');
      expect(err.message).not.toContain('sk-wrong');
      expect(await chat.ready()).toEqual({ ok: false, reason: expect.stringContaining('401') });
      expect(api.requests.every((r) => !r.authorized)).toBe(true);
    });

    it('is ready when the server answers with the key; a server without a model list counts', async () => {
      expect(await new OpenAiChatModel({ ...connection, model: 'gpt-4o-mini' }).ready()).toEqual({ ok: true });
      expect(api.requestsTo('/v1/models')).toHaveLength(1);
      const noList = new OpenAiChatModel({ ...connection, baseURL: `${api.url}/whisper-only`, model: 'x' });
      expect(await noList.ready()).toEqual({ ok: true });
      api.setModels('fail');
      expect((await new OpenAiChatModel({ ...connection, model: 'x' }).ready()).ok).toBe(false);
      api.setModels(['gpt-4o-mini']);
    });

    it('reports an unreachable server as unavailable', async () => {
      const gone = await startOpenAiStandIn();
      await gone.close();
      const chat = new OpenAiChatModel({ ...connection, baseURL: gone.url, model: 'gpt-4o-mini' });
      expect((await rejection(chat.complete({ messages }))).kind).toBe('unavailable');
    });
  });

  describe(OpenAiSpeechToText.name, () => {
    it('uploads the segment as a 16 kHz WAV with the model and language, and returns the text', async () => {
      api.setTranscription((call) => `heard ${call.file?.bytes.length} bytes`);
      const stt = new OpenAiSpeechToText({ ...connection, model: 'whisper-1' });
      // One second at 48 kHz, as LiveKit delivers it.
      const { text } = await stt.transcribe({ sampleRate: 48_000, samples: tone(1, 48_000) }, { language: 'en-US' });
      const [request] = api.requestsTo('/v1/audio/transcriptions');
      expect(request!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
      const { fields, files } = request!.body;
      expect(fields).toMatchObject({ model: 'whisper-1', language: 'en', response_format: 'json' });
      expect(files).toHaveLength(1);
      const file = files[0];
      expect(file).toMatchObject({ field: 'file', filename: 'segment.wav', contentType: 'audio/wav' });
      expect(file.bytes.subarray(0, 4).toString('latin1')).toBe('RIFF');
      expect(file.bytes.readUInt32LE(24)).toBe(16_000);
      expect(file.bytes.length).toBe(44 + 16_000 * 2);
      expect(text).toBe(`heard ${44 + 16_000 * 2} bytes`);
    });

    it('skips a segment too short to hear', async () => {
      const stt = new OpenAiSpeechToText({ ...connection, model: 'whisper-1' });
      expect(await stt.transcribe({ sampleRate: 16_000, samples: new Int16Array(800) })).toEqual({ text: '' });
      expect(api.requests).toHaveLength(0);
    });

    it('maps failures, hangs and a wrong key', async () => {
      const audio = { sampleRate: 16_000, samples: tone(0.5, 16_000) };
      api.setTranscription('fail');
      const stt = new OpenAiSpeechToText({ ...connection, timeoutMs: 300, model: 'whisper-1' });
      expect((await rejection(stt.transcribe(audio))).kind).toBe('unavailable');
      api.setTranscription('hang');
      const started = Date.now();
      expect((await rejection(stt.transcribe(audio))).kind).toBe('timeout');
      expect(Date.now() - started).toBeLessThan(1_000);
      const wrongKey = new OpenAiSpeechToText({ ...connection, apiKey: 'sk-wrong', model: 'whisper-1' });
      expect((await rejection(wrongKey.transcribe(audio))).kind).toBe('refused');
      api.setTranscription(() => 'stand-in transcript');
    });
  });

  describe(OpenAiTextToSpeech.name, () => {
    it('returns 24 kHz PCM and asks for pcm with the model and voice', async () => {
      api.setSpeech(() => tone(0.75));
      const tts = new OpenAiTextToSpeech({ ...connection, model: 'tts-1', voice: 'alloy' });
      const audio = await tts.synthesize('Tell me about a project you are proud of.');
      expect(audio.sampleRate).toBe(24_000);
      expect(tts.sampleRate).toBe(24_000);
      expect(audio.samples).toEqual(tone(0.75));
      expect(api.requestsTo('/v1/audio/speech')[0]!.body).toEqual({
        model: 'tts-1',
        voice: 'alloy',
        input: 'Tell me about a project you are proud of.',
        response_format: 'pcm',
      });
    });

    it('maps failures, hangs and a wrong key', async () => {
      const tts = new OpenAiTextToSpeech({ ...connection, timeoutMs: 300, model: 'tts-1', voice: 'alloy' });
      api.setSpeech('fail');
      expect((await rejection(tts.synthesize('hello'))).kind).toBe('unavailable');
      api.setSpeech('hang');
      const started = Date.now();
      expect((await rejection(tts.synthesize('hello'))).kind).toBe('timeout');
      expect(Date.now() - started).toBeLessThan(1_000);
      const wrongKey = new OpenAiTextToSpeech({ ...connection, apiKey: 'sk-wrong', model: 'tts-1', voice: 'alloy' });
      expect((await rejection(wrongKey.synthesize('hello'))).kind).toBe('refused');
      api.setSpeech(() => tone(0.3));
    });
  });
});
