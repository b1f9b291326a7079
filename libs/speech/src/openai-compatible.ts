import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  OpenAI,
  OpenAIError,
  toFile,
} from 'openai';
import {
  ProviderError,
  type ChatModel,
  type ChatRequest,
  type PcmAudio,
  type ProviderReadiness,
  type SpeechToText,
  type StreamingTextToSpeech,
  type TextToSpeech,
} from './ports';
import { looksLikeMp3 } from './mp3';
import { resamplePcm } from './resample';
import { encodeWav, parseWav, samplesFromPcmBytes, WavFormatError } from './wav';

// Adapters for any server speaking the OpenAI API (OpenAI itself, a self-hosted Whisper server,
// llama.cpp, vLLM...), chosen by base URL. Every failure leaves as a ProviderError so the caller can
// fall back; none is retried for long: a live interview cannot wait for a vendor's bad minute.

export interface OpenAiConnection {
  /** e.g. https://api.openai.com/v1 */
  baseURL: string;
  apiKey: string;
  /**
   * The whole call (connect, answer, body) is cut after this long; for a stream, the longest gap
   * between two chunks. The SDK's own timeout only covers the wait for headers, and its retries
   * would multiply it, so this deadline is ours.
   */
  timeoutMs?: number;
  /** The SDK retries connection errors, 408, 409, 429 and 5xx with back-off; inside the deadline. */
  maxRetries?: number;
}

const DEFAULT_TIMEOUT_MS = 8_000;

function clientFor(connection: OpenAiConnection): OpenAI {
  return new OpenAI({
    baseURL: connection.baseURL,
    apiKey: connection.apiKey,
    timeout: connection.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxRetries: connection.maxRetries ?? 1,
  });
}

/** The caller's signal joined with our deadline, remembering which of the two fired. */
class Deadline {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  timedOut = false;

  constructor(
    readonly timeoutMs: number,
    private readonly caller?: AbortSignal,
  ) {
    if (caller?.aborted) this.controller.abort();
    caller?.addEventListener('abort', this.onAbort, { once: true });
    this.restart();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get callerAborted(): boolean {
    return this.caller?.aborted === true;
  }

  /** Starts the clock again (a stream that is still moving is not hanging). */
  restart(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, this.timeoutMs);
  }

  pause(): void {
    clearTimeout(this.timer);
  }

  /** Stops the clock and aborts whatever is still in flight (a stream the caller left early). */
  end(): void {
    clearTimeout(this.timer);
    this.caller?.removeEventListener('abort', this.onAbort);
    this.controller.abort();
  }

  private readonly onAbort = () => this.controller.abort();
}

/** Any failure of a call as a ProviderError: the caller only needs its kind. */
function providerError(label: string, err: unknown, deadline: Deadline): ProviderError {
  if (err instanceof ProviderError) return err;
  // Our own deadline surfaces as an abort, so the flags decide before the error's type does.
  if (deadline.timedOut || err instanceof APIConnectionTimeoutError) {
    return new ProviderError(label, `no answer within ${deadline.timeoutMs} ms`, 'timeout');
  }
  if (deadline.callerAborted || err instanceof APIUserAbortError)
    return new ProviderError(label, 'aborted', 'unavailable');
  if (err instanceof APIConnectionError) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return new ProviderError(label, `cannot reach the API${cause}`.slice(0, 300), 'unavailable');
  }
  if (err instanceof APIError && typeof err.status === 'number') {
    // Worth trying again later: overloaded, rate limited, broken. Anything else 4xx is a refusal of
    // this request or this key (the SDK's message carries the vendor's own text, keys come masked).
    const transient = err.status >= 500 || err.status === 429 || err.status === 408 || err.status === 409;
    return new ProviderError(label, err.message.slice(0, 300), transient ? 'unavailable' : 'refused');
  }
  // The SDK's other errors are about what came back (a stream it could not parse, and the like).
  if (err instanceof OpenAIError || err instanceof SyntaxError) {
    return new ProviderError(label, `unreadable answer: ${err.message}`.slice(0, 300), 'malformed');
  }
  return new ProviderError(label, (err as Error)?.message ?? String(err), 'unavailable');
}

async function call<T>(
  label: string,
  connection: OpenAiConnection,
  signal: AbortSignal | undefined,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const deadline = new Deadline(connection.timeoutMs ?? DEFAULT_TIMEOUT_MS, signal);
  try {
    return await run(deadline.signal);
  } catch (err) {
    throw providerError(label, err, deadline);
  } finally {
    deadline.end();
  }
}

/**
 * GET /models: the server answers and takes the key. Chosen over checking configuration alone
 * because a wrong key or an unreachable base URL is the usual mistake, and it costs one cheap call
 * at start-up. A 404 counts as ready: some compatible servers (Whisper servers) list no models.
 */
async function probe(label: string, client: OpenAI, connection: OpenAiConnection): Promise<ProviderReadiness> {
  const deadline = new Deadline(connection.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  try {
    await client.models.list({ signal: deadline.signal, maxRetries: 0 });
    return { ok: true };
  } catch (err) {
    if (err instanceof APIError && err.status === 404) return { ok: true };
    return { ok: false, reason: providerError(label, err, deadline).message };
  } finally {
    deadline.end();
  }
}

export interface OpenAiChatOptions extends OpenAiConnection {
  /** e.g. gpt-4o-mini */
  model: string;
}

export class OpenAiChatModel implements ChatModel {
  readonly label: string;
  private readonly client: OpenAI;

  constructor(private readonly options: OpenAiChatOptions) {
    this.label = `openai:${options.model}`;
    this.client = clientFor(options);
  }

  async complete(request: ChatRequest): Promise<string> {
    return call(this.label, this.options, request.signal, async (signal) => {
      const completion = await this.client.chat.completions.create(
        { ...this.params(request), stream: false },
        { signal },
      );
      const choice = Array.isArray(completion?.choices) ? completion.choices[0] : undefined;
      if (!choice?.message) throw new ProviderError(this.label, 'the answer has no choices', 'malformed');
      if (choice.message.refusal) {
        throw new ProviderError(this.label, `the model refused: ${choice.message.refusal.slice(0, 200)}`, 'refused');
      }
      const content = choice.message.content ?? '';
      if (request.jsonSchema) {
        if (choice.finish_reason === 'length') {
          throw new ProviderError(this.label, 'the JSON answer was cut off at the token limit', 'malformed');
        }
        assertJson(this.label, content);
      } else if (content.trim() === '') throw new ProviderError(this.label, 'the answer is empty', 'malformed');
      return content;
    });
  }

  async *stream(request: ChatRequest): AsyncIterable<string> {
    // Idle deadline: the clock restarts on every chunk, so a long answer may take its time but a
    // stream that stops moving is cut.
    const deadline = new Deadline(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS, request.signal);
    try {
      const stream = await this.client.chat.completions.create(
        { ...this.params(request), stream: true },
        { signal: deadline.signal },
      );
      let finished = false;
      for await (const chunk of stream) {
        deadline.restart();
        if (chunk.choices?.[0]?.finish_reason) finished = true;
        const delta = chunk.choices?.[0]?.delta;
        if (delta?.refusal) throw new ProviderError(this.label, `the model refused: ${delta.refusal}`, 'refused');
        if (typeof delta?.content === 'string' && delta.content !== '') {
          // The caller's time with a chunk is not the vendor's: the clock stops while it has it.
          deadline.pause();
          yield delta.content;
          deadline.restart();
        }
      }
      // The SDK ends a stream quietly when it is aborted, so a cut stream looks finished: ask why it ended.
      if (deadline.timedOut || deadline.callerAborted) throw new Error('stream cut');
      if (!finished) throw new ProviderError(this.label, 'the stream ended before the answer did', 'malformed');
    } catch (err) {
      throw providerError(this.label, err, deadline);
    } finally {
      deadline.end();
    }
  }

  ready(): Promise<ProviderReadiness> {
    return probe(this.label, this.client, this.options);
  }

  private params(request: ChatRequest) {
    return {
      model: this.options.model,
      messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      // max_tokens, not max_completion_tokens: every compatible server (llama.cpp, vLLM, Ollama)
      // reads it, and OpenAI still does for the chat models this is configured with.
      ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
      ...(request.jsonSchema
        ? {
            response_format: {
              type: 'json_schema' as const,
              json_schema: { name: request.jsonSchema.name, schema: request.jsonSchema.schema, strict: true },
            },
          }
        : {}),
    };
  }
}

function assertJson(label: string, text: string): void {
  try {
    JSON.parse(text);
  } catch {
    throw new ProviderError(label, 'the structured answer is not JSON', 'malformed');
  }
}

export interface OpenAiSpeechToTextOptions extends OpenAiConnection {
  /** e.g. whisper-1, gpt-4o-mini-transcribe */
  model: string;
}

// Whisper works at 16 kHz; sending 48 kHz would triple the upload for nothing.
const UPLOAD_RATE = 16_000;
// OpenAI refuses shorter files ("minimum audio length is 0.1 seconds"); there is nothing to hear in them.
const MIN_SECONDS = 0.1;

export class OpenAiSpeechToText implements SpeechToText {
  readonly label: string;
  private readonly client: OpenAI;

  constructor(private readonly options: OpenAiSpeechToTextOptions) {
    this.label = `openai:${options.model}`;
    this.client = clientFor(options);
  }

  async transcribe(
    audio: PcmAudio,
    options: { signal?: AbortSignal; language?: string } = {},
  ): Promise<{ text: string }> {
    if (audio.samples.length < audio.sampleRate * MIN_SECONDS) return { text: '' };
    const pcm = audio.sampleRate > UPLOAD_RATE ? resamplePcm(audio, UPLOAD_RATE) : audio;
    // The API takes ISO-639-1 (`en`), not a locale (`en-US`).
    const language = options.language?.split(/[-_]/)[0]?.toLowerCase();
    return call(this.label, this.options, options.signal, async (signal) => {
      const file = await toFile(encodeWav(pcm), 'segment.wav', { type: 'audio/wav' });
      const result = await this.client.audio.transcriptions.create(
        { file, model: this.options.model, response_format: 'json', ...(language ? { language } : {}) },
        { signal },
      );
      const text: unknown = (result as { text?: unknown })?.text;
      if (typeof text !== 'string') throw new ProviderError(this.label, 'the answer has no text', 'malformed');
      return { text: text.trim() };
    });
  }

  ready(): Promise<ProviderReadiness> {
    return probe(this.label, this.client, this.options);
  }
}

export interface OpenAiTextToSpeechOptions extends OpenAiConnection {
  /** e.g. tts-1, gpt-4o-mini-tts */
  model: string;
  /** e.g. alloy */
  voice: string;
  /** 0.25-4.0; the vendor's default when unset. */
  speed?: number;
}

// The API's limit for `input`.
const MAX_SPEECH_CHARS = 4_096;

export class OpenAiTextToSpeech implements TextToSpeech, StreamingTextToSpeech {
  readonly label: string;
  /** `response_format: 'pcm'` is 24 kHz mono s16le (OpenAI's documentation). */
  readonly sampleRate = 24_000;
  private readonly client: OpenAI;

  constructor(private readonly options: OpenAiTextToSpeechOptions) {
    this.label = `openai:${options.model}`;
    this.client = clientFor(options);
  }

  async synthesize(text: string, options: { signal?: AbortSignal } = {}): Promise<PcmAudio> {
    const input = text.trim();
    if (input === '') return { sampleRate: this.sampleRate, samples: new Int16Array(0) };
    if (input.length > MAX_SPEECH_CHARS) {
      throw new ProviderError(this.label, `text longer than ${MAX_SPEECH_CHARS} characters`, 'refused');
    }
    return call(this.label, this.options, options.signal, async (signal) => {
      const response = await this.client.audio.speech.create(
        {
          model: this.options.model,
          voice: this.options.voice,
          input,
          response_format: 'pcm',
          ...(this.options.speed !== undefined ? { speed: this.options.speed } : {}),
        },
        { signal },
      );
      // Reading the body is inside the deadline too: the SDK's timeout ends with the headers.
      const bytes = new Uint8Array(await response.arrayBuffer());
      return this.decode(bytes);
    });
  }

  /**
   * `response_format: 'mp3'`, passed on chunk by chunk as the vendor sends it. The deadline is an
   * idle one, as for chat streams: the wait for the answer, then the longest gap between chunks
   * (the clock stops while the caller holds a chunk). The first bytes must look like MP3, so a
   * server that answers 200 with something else fails before anything is passed on.
   */
  async *streamMp3(text: string, options: { voice?: string; signal?: AbortSignal } = {}): AsyncGenerator<Buffer> {
    const input = text.trim();
    if (input === '') return;
    if (input.length > MAX_SPEECH_CHARS) {
      throw new ProviderError(this.label, `text longer than ${MAX_SPEECH_CHARS} characters`, 'refused');
    }
    const deadline = new Deadline(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS, options.signal);
    try {
      const response = await this.client.audio.speech.create(
        {
          model: this.options.model,
          voice: options.voice ?? this.options.voice,
          input,
          response_format: 'mp3',
          ...(this.options.speed !== undefined ? { speed: this.options.speed } : {}),
        },
        { signal: deadline.signal },
      );
      const reader = response.body?.getReader();
      if (!reader) throw new ProviderError(this.label, 'the answer has no body', 'malformed');
      let head: Buffer | undefined = Buffer.alloc(0);
      try {
        for (;;) {
          deadline.restart();
          const { done, value } = await reader.read();
          if (done) break;
          let chunk = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
          if (head) {
            // Hold bytes back until there are enough to tell MP3 from an error page.
            head = Buffer.concat([head, chunk]);
            if (head.length < 4) continue;
            if (!looksLikeMp3(head)) throw new ProviderError(this.label, 'the answer is not MP3', 'malformed');
            chunk = head;
            head = undefined;
          }
          deadline.pause();
          yield chunk;
        }
      } finally {
        reader.releaseLock();
      }
      if (deadline.timedOut || deadline.callerAborted) throw new Error('stream cut');
      if (head) {
        if (!looksLikeMp3(head)) throw new ProviderError(this.label, 'the answer is not MP3', 'malformed');
        yield head;
      }
    } catch (err) {
      throw providerError(this.label, err, deadline);
    } finally {
      deadline.end();
    }
  }

  ready(): Promise<ProviderReadiness> {
    return probe(this.label, this.client, this.options);
  }

  private decode(bytes: Uint8Array): PcmAudio {
    // Some compatible servers ignore `pcm` and send a WAV; take it rather than play its header as noise.
    const isWav = bytes.byteLength >= 12 && Buffer.from(bytes.subarray(0, 4)).toString('latin1') === 'RIFF';
    if (!isWav) return { sampleRate: this.sampleRate, samples: samplesFromPcmBytes(bytes) };
    try {
      return resamplePcm(parseWav(bytes), this.sampleRate);
    } catch (err) {
      if (err instanceof WavFormatError) throw new ProviderError(this.label, err.message, 'malformed');
      throw err;
    }
  }
}
