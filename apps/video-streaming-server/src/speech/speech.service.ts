import { Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError, DomainErrorCode } from '@app/errors';
import { MetricsRegistry } from '@app/observability';
import { REDIS_CLIENT } from '@app/redis';
import { EspeakTextToSpeech, OpenAiTextToSpeech, ProviderError, type StreamingTextToSpeech } from '@app/speech';
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  bulkhead,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  handleWhen,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
  type BulkheadPolicy,
  type CircuitBreakerPolicy,
  type IPolicy,
} from 'cockatiel';
import type Redis from 'ioredis';
import { Counter, Gauge, Histogram } from 'prom-client';
import { VSS_CONFIG, type VideoStreamingServerConfig } from '../config';
import { TTS_VOICES, type SpeechRequest } from './speech.contract';
import { TtsCache, ttsCacheKey } from './tts-cache';

// R-A1/R-A3: text to speech for media clients. The rules live here: which provider answers (OpenAI
// when a key is configured, espeak-ng otherwise), the cache, and the vendor's isolation. Every
// vendor call runs inside a timeout inside a circuit breaker; an open circuit answers at once. The
// offline provider is CPU-bound, so a bulkhead bounds how many run at once. Nothing here holds a
// lock or blocks the event loop: a failing vendor only ever costs its own requests their timeout.

export type TtsProviderId = 'openai' | 'espeak';

export interface SpeechAnswer {
  provider: TtsProviderId;
  cache: 'hit' | 'miss';
  /** MP3, streamed: the first chunk is already there. */
  body: Readable;
}

/** What a client shows instead of speech when there is none (DomainError details, x-parley-fallback). */
export const FALLBACK = 'captions';

const CACHED_CHUNK_BYTES = 16 * 1024;

/** The client went away before the provider's first byte: neither a vendor failure nor an answer. */
class ClientGone extends Error {}

interface Provider {
  id: TtsProviderId;
  /** Part of the cache key: another model, rate or server is another answer. */
  cacheLabel: string;
  tts: StreamingTextToSpeech;
  voice(voice: SpeechRequest['voice']): string;
}

interface Opened {
  first: Buffer;
  rest: AsyncIterator<Buffer>;
  /** Ends the provider's share of any bulkhead. */
  release(): void;
}

@Injectable()
export class SpeechService {
  private readonly logger = new Logger(SpeechService.name);
  private readonly provider: Provider;
  private readonly cache: TtsCache;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly vendorPolicy: IPolicy;
  private readonly offlinePolicy: BulkheadPolicy;
  private readonly requests: Counter<'provider' | 'outcome'>;
  private readonly cacheLookups: Counter<'result'>;
  private readonly firstByte: Histogram<'provider' | 'outcome'>;

  constructor(
    @Inject(VSS_CONFIG) private readonly config: VideoStreamingServerConfig,
    @Inject(REDIS_CLIENT) redis: Redis,
    @Inject(MetricsRegistry) registry: MetricsRegistry,
  ) {
    const tts = config.tts;
    if (tts.openai) {
      const openai = new OpenAiTextToSpeech({
        baseURL: tts.openai.baseURL,
        apiKey: tts.openai.apiKey,
        model: tts.openai.model,
        voice: 'alloy',
        timeoutMs: tts.vendorTimeoutMs,
        // The breaker decides when to try again; a live request cannot wait for the SDK's back-off.
        maxRetries: 0,
      });
      this.provider = {
        id: 'openai',
        cacheLabel: `${openai.label}@${tts.openai.baseURL}`,
        tts: openai,
        voice: (voice) => voice,
      };
    } else {
      const espeak = new EspeakTextToSpeech({ timeoutMs: tts.offline.timeoutMs });
      this.provider = {
        id: 'espeak',
        cacheLabel: `${espeak.label}:${espeak.rateWpm}wpm`,
        tts: espeak,
        voice: (voice) => TTS_VOICES[voice],
      };
    }
    this.cache = new TtsCache(redis, tts.cache);

    this.breaker = circuitBreaker(
      handleWhen((err) => !(err instanceof ClientGone)),
      { halfOpenAfter: tts.breaker.halfOpenAfterMs, breaker: new ConsecutiveBreaker(tts.breaker.failures) },
    );
    // Aggressive: the wait ends at the deadline even if the SDK has not noticed the abort yet.
    // abortOnReturn false: the signal also guards the stream after its first chunk (until the client leaves).
    this.vendorPolicy = wrap(
      this.breaker,
      timeout(tts.vendorTimeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false }),
    );
    this.offlinePolicy = bulkhead(tts.offline.concurrency, tts.offline.queue);

    this.requests = new Counter({
      name: 'parley_tts_requests_total',
      help: 'POST /v1/speech answers by provider and outcome (ok, cached, circuit_open, vendor_error, busy, cut, client_gone)',
      labelNames: ['provider', 'outcome'],
      registers: [registry],
    });
    this.cacheLookups = new Counter({
      name: 'parley_tts_cache_lookups_total',
      help: 'TTS answer cache lookups by result (hit, miss)',
      labelNames: ['result'],
      registers: [registry],
    });
    this.firstByte = new Histogram({
      name: 'parley_tts_vendor_first_byte_seconds',
      help: 'Time from the provider call to its first audio byte (or its failure), by provider and outcome',
      labelNames: ['provider', 'outcome'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    const breakerState = new Gauge({
      name: 'parley_tts_breaker_state',
      help: 'The TTS vendor circuit: 0 closed, 1 half-open, 2 open',
      labelNames: ['provider'],
      registers: [registry],
    });
    const stateValue = (state: CircuitState) =>
      state === CircuitState.Closed ? 0 : state === CircuitState.HalfOpen ? 1 : 2;
    breakerState.set({ provider: this.provider.id }, 0);
    this.breaker.onStateChange((state) => {
      breakerState.set({ provider: this.provider.id }, stateValue(state));
      if (this.provider.id === 'openai') this.logger.warn(`TTS vendor circuit ${CircuitState[state].toLowerCase()}`);
    });
  }

  get providerId(): TtsProviderId {
    return this.provider.id;
  }

  /**
   * One utterance as MP3, resolved once its first bytes are there (from the cache or the provider),
   * so every failure before that is a clean HTTP error. `signal`: the client has gone.
   */
  async speak(request: SpeechRequest, signal: AbortSignal): Promise<SpeechAnswer> {
    const provider = this.provider;
    const key = ttsCacheKey({
      provider: provider.cacheLabel,
      voice: request.voice,
      format: request.format,
      text: request.text,
    });
    if (this.cache.enabled) {
      const cached = await this.cache.get(key);
      this.cacheLookups.inc({ result: cached ? 'hit' : 'miss' });
      if (cached) {
        this.requests.inc({ provider: provider.id, outcome: 'cached' });
        return { provider: provider.id, cache: 'hit', body: Readable.from(chunksOf(cached), { objectMode: false }) };
      }
    }

    const started = performance.now();
    let opened: Opened;
    try {
      opened = await this.open(provider, request, signal);
      this.firstByte.observe({ provider: provider.id, outcome: 'ok' }, (performance.now() - started) / 1000);
    } catch (err) {
      throw this.refusal(provider, err, started);
    }
    return {
      provider: provider.id,
      cache: 'miss',
      body: Readable.from(this.relay(opened, key), { objectMode: false }),
    };
  }

  private open(provider: Provider, request: SpeechRequest, client: AbortSignal): Promise<Opened> {
    const start = async (signal: AbortSignal) => {
      const rest = provider.tts
        .streamMp3(request.text, { voice: provider.voice(request.voice), signal })
        [Symbol.asyncIterator]();
      try {
        const first = await rest.next();
        if (first.done) throw new ProviderError(provider.tts.label, 'no audio for the text', 'malformed');
        return { first: first.value, rest };
      } catch (err) {
        if (client.aborted) throw new ClientGone('the client left');
        throw err;
      }
    };
    if (provider.id === 'openai') {
      return this.vendorPolicy.execute(async ({ signal }) => ({
        ...(await start(AbortSignal.any([client, signal]))),
        release: () => undefined,
      }));
    }
    // The offline provider holds its bulkhead slot for the whole utterance (it is CPU, not waiting).
    return new Promise<Opened>((resolve, reject) => {
      this.offlinePolicy
        .execute(async () => {
          let release!: () => void;
          const done = new Promise<void>((r) => (release = r));
          try {
            resolve({ ...(await start(client)), release });
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
            return;
          }
          await done;
        })
        .catch(reject);
    });
  }

  /** The provider's chunks on to the client, kept for the cache when the whole answer fits. */
  private async *relay(opened: Opened, key: string): AsyncGenerator<Buffer> {
    const provider = this.provider.id;
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let keep = this.cache.enabled;
    let complete = false;
    const take = (chunk: Buffer) => {
      if (!keep) return;
      keptBytes += chunk.length;
      if (this.cache.admits(keptBytes)) kept.push(chunk);
      else {
        keep = false;
        kept.length = 0;
      }
    };
    try {
      take(opened.first);
      yield opened.first;
      for (;;) {
        const next = await opened.rest.next();
        if (next.done) break;
        take(next.value);
        yield next.value;
      }
      complete = true;
      this.requests.inc({ provider, outcome: 'ok' });
      if (keep) void this.cache.put(key, Buffer.concat(kept));
    } catch (err) {
      // Headers are gone: the connection is cut, so the client sees a broken answer, not a short one.
      this.requests.inc({ provider, outcome: 'cut' });
      this.logger.warn({ err: { message: (err as Error).message } }, 'TTS stream failed after its first bytes');
      throw err;
    } finally {
      if (!complete) await opened.rest.return?.().catch(() => undefined);
      opened.release();
    }
  }

  /** A failure before the first byte as the DomainError the client gets (503 + fallback hint). */
  private refusal(provider: Provider, err: unknown, started: number): DomainError {
    const seconds = (performance.now() - started) / 1000;
    const details = { fallback: FALLBACK };
    if (err instanceof BrokenCircuitError) {
      this.requests.inc({ provider: provider.id, outcome: 'circuit_open' });
      return new DomainError(
        DomainErrorCode.DependencyUnavailable,
        `Text to speech is unavailable: the vendor is failing. Fallback: ${FALLBACK}.`,
        {
          ...details,
          reason: 'vendor_unavailable',
          retryAfterSeconds: Math.ceil(this.config.tts.breaker.halfOpenAfterMs / 1000),
        },
      );
    }
    if (err instanceof BulkheadRejectedError) {
      this.requests.inc({ provider: provider.id, outcome: 'busy' });
      return new DomainError(
        DomainErrorCode.DependencyUnavailable,
        `Text to speech is busy; try again shortly. Fallback: ${FALLBACK}.`,
        { ...details, reason: 'tts_busy', retryAfterSeconds: 1 },
      );
    }
    if (err instanceof ClientGone) {
      this.requests.inc({ provider: provider.id, outcome: 'client_gone' });
      return new DomainError(DomainErrorCode.DependencyUnavailable, 'The client left before the audio started', {
        ...details,
        reason: 'client_gone',
      });
    }
    this.firstByte.observe({ provider: provider.id, outcome: 'error' }, seconds);
    this.requests.inc({ provider: provider.id, outcome: 'vendor_error' });
    const timedOut = err instanceof TaskCancelledError || (err instanceof ProviderError && err.kind === 'timeout');
    // ProviderError messages carry the vendor's text, never the key (the SDK masks it); log, do not return them.
    this.logger.warn({ err: { message: (err as Error)?.message ?? String(err) } }, 'TTS provider failed');
    if (provider.id === 'openai') {
      return new DomainError(
        DomainErrorCode.DependencyUnavailable,
        timedOut
          ? `The text-to-speech vendor did not answer within ${this.config.tts.vendorTimeoutMs} ms. Fallback: ${FALLBACK}.`
          : `The text-to-speech vendor failed. Fallback: ${FALLBACK}.`,
        { ...details, reason: 'vendor_unavailable' },
      );
    }
    return new DomainError(
      DomainErrorCode.DependencyUnavailable,
      `The offline text-to-speech engine failed. Fallback: ${FALLBACK}.`,
      { ...details, reason: 'tts_unavailable' },
    );
  }
}

function* chunksOf(bytes: Buffer): Generator<Buffer> {
  for (let at = 0; at < bytes.length; at += CACHED_CHUNK_BYTES) yield bytes.subarray(at, at + CACHED_CHUNK_BYTES);
}
