import { EspeakTextToSpeech } from './espeak.tts';
import { OpenAiChatModel, OpenAiSpeechToText, OpenAiTextToSpeech, type OpenAiConnection } from './openai-compatible';
import { PocketsphinxSpeechToText } from './pocketsphinx.stt';
import type { ChatModel, SpeechToText, TextToSpeech } from './ports';
import type { SpeechConfig } from './speech.config';

export interface SpeechProviders {
  tts: TextToSpeech;
  /** null: STT_PROVIDER=none (typed answers only). */
  stt: SpeechToText | null;
  /** null: the scripted brain, no model. */
  chat: ChatModel | null;
}

/** The adapters the configuration names. Nothing is started or probed here; call `ready()` for that. */
export function createSpeechProviders(config: SpeechConfig): SpeechProviders {
  const openai = (): OpenAiConnection => {
    // toSpeechConfig refuses this configuration; a hand-built one must not send an empty key.
    if (!config.openai.apiKey) throw new Error('OPENAI_API_KEY is required for the openai providers');
    return { baseURL: config.openai.baseURL, apiKey: config.openai.apiKey, timeoutMs: config.timeoutMs };
  };
  const tts =
    config.tts === 'openai'
      ? new OpenAiTextToSpeech({ ...openai(), model: config.openai.ttsModel, voice: config.openai.ttsVoice })
      : new EspeakTextToSpeech({ ...config.espeak, timeoutMs: config.timeoutMs });
  const stt =
    config.stt === 'openai'
      ? new OpenAiSpeechToText({ ...openai(), model: config.openai.sttModel })
      : config.stt === 'pocketsphinx'
        ? new PocketsphinxSpeechToText({ timeoutMs: config.timeoutMs })
        : null;
  const chat = config.brain === 'openai' ? new OpenAiChatModel({ ...openai(), model: config.openai.llmModel }) : null;
  return { tts, stt, chat };
}
