import { EspeakTextToSpeech } from './espeak.tts';
import { OpenAiChatModel, openAiClient, OpenAiSpeechToText, OpenAiTextToSpeech } from './openai-compatible';
import { PocketsphinxSpeechToText } from './pocketsphinx.stt';
import type { ChatModel, SpeechToText, TextToSpeech } from './ports';
import type { SpeechConfig } from './speech.config';

export interface SpeechProviders {
  tts: TextToSpeech;
  /** null: no speech recognition configured (typed answers only). */
  stt: SpeechToText | null;
  /** null: the scripted brain. */
  chat: ChatModel | null;
}

/** The adapters the configuration names; nothing is contacted until first use. */
export function createSpeechProviders(config: SpeechConfig): SpeechProviders {
  const usesOpenAi = config.brain === 'openai' || config.stt === 'openai' || config.tts === 'openai';
  const client = usesOpenAi
    ? openAiClient({ baseUrl: config.openai.baseUrl, apiKey: config.openai.apiKey, timeoutMs: config.timeoutMs })
    : undefined;
  const espeak = () => new EspeakTextToSpeech({ ...config.espeak, timeoutMs: config.timeoutMs });
  return {
    tts: config.tts === 'openai' ? new OpenAiTextToSpeech(client!, config.openai.ttsModel, config.openai.ttsVoice) : espeak(),
    stt:
      config.stt === 'none'
        ? null
        : config.stt === 'openai'
          ? new OpenAiSpeechToText(client!, config.openai.sttModel)
          : new PocketsphinxSpeechToText({ timeoutMs: Math.max(config.timeoutMs, 20_000) }),
    chat: config.brain === 'openai' ? new OpenAiChatModel(client!, config.openai.llmModel) : null,
  };
}
