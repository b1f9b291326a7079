// The interviewer's providers, one port per kind (R-G4). Adapters: offline (espeak-ng, pocketsphinx,
// the scripted brain needs no model) and any OpenAI-compatible API. Nothing here depends on
// @livekit/agents, so the media plane's TTS endpoint can reuse the same adapters.

/** Mono 16-bit PCM. */
export interface PcmAudio {
  sampleRate: number;
  samples: Int16Array;
}

export type ProviderReadiness = { ok: true } | { ok: false; reason: string };

/** A provider failed or timed out; the caller decides how to carry on (it never crashes a room). */
export class ProviderError extends Error {
  constructor(
    readonly provider: string,
    message: string,
    readonly kind: 'timeout' | 'unavailable' | 'refused' | 'malformed' = 'unavailable',
  ) {
    super(`${provider}: ${message}`);
  }
}

export interface TextToSpeech {
  /** e.g. `espeak-ng` or `openai:tts-1`. */
  readonly label: string;
  /** The rate of the audio `synthesize` returns. */
  readonly sampleRate: number;
  /** One utterance, whole. Throws ProviderError. */
  synthesize(text: string, options?: { signal?: AbortSignal }): Promise<PcmAudio>;
  ready(): Promise<ProviderReadiness>;
}

/**
 * Encoded speech as it is produced (R-A1's endpoint streams it on): the first chunk leaves as soon
 * as the provider has it. The same adapters as TextToSpeech, so the agent and the media plane share
 * one implementation of each provider.
 */
export interface StreamingTextToSpeech {
  readonly label: string;
  /**
   * MP3 bytes of one utterance, chunk by chunk; nothing for empty text. Throws ProviderError before
   * or between chunks. Leaving the loop early (or aborting) stops the provider's work.
   */
  streamMp3(text: string, options?: { voice?: string; signal?: AbortSignal }): AsyncIterable<Buffer>;
}

export interface SpeechToText {
  readonly label: string;
  /** One speech segment (as cut by the VAD). Empty text means nothing was recognised. Throws ProviderError. */
  transcribe(audio: PcmAudio, options?: { signal?: AbortSignal; language?: string }): Promise<{ text: string }>;
  ready(): Promise<ProviderReadiness>;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  /** Ask for structured output (OpenAI `response_format: json_schema`); the answer is the JSON text. */
  jsonSchema?: { name: string; schema: Record<string, unknown> };
  temperature?: number;
  maxTokens?: number;
  signal?: AbortSignal;
}

export interface ChatModel {
  readonly label: string;
  /** The whole answer. Throws ProviderError. */
  complete(request: ChatRequest): Promise<string>;
  /** The answer as it streams (text deltas). Throws ProviderError. */
  stream(request: ChatRequest): AsyncIterable<string>;
  ready(): Promise<ProviderReadiness>;
}
