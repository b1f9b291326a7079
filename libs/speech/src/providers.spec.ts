import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EspeakTextToSpeech } from './espeak.tts';
import { OpenAiChatModel, OpenAiSpeechToText, OpenAiTextToSpeech } from './openai-compatible';
import { PocketsphinxSpeechToText } from './pocketsphinx.stt';
import { createSpeechProviders } from './providers';
import { speechEnv, toSpeechConfig } from './speech.config';

const configOf = (env: Record<string, string>) => toSpeechConfig(z.object({ ...speechEnv }).parse(env));

describe(createSpeechProviders.name, () => {
  it('picks the offline adapters by default', () => {
    const providers = createSpeechProviders(configOf({ ESPEAK_VOICE: 'en-us+m3', ESPEAK_RATE_WPM: '140' }));
    expect(providers.tts).toBeInstanceOf(EspeakTextToSpeech);
    expect(providers.tts).toMatchObject({ voice: 'en-us+m3', rateWpm: 140 });
    expect(providers.stt).toBeInstanceOf(PocketsphinxSpeechToText);
    expect(providers.chat).toBeNull();
  });

  it('picks the OpenAI-compatible adapters, named by model', () => {
    const providers = createSpeechProviders(
      configOf({
        INTERVIEWER_BRAIN: 'openai',
        STT_PROVIDER: 'openai',
        TTS_PROVIDER: 'openai',
        OPENAI_API_KEY: 'sk-test',
        OPENAI_TTS_MODEL: 'gpt-4o-mini-tts',
      }),
    );
    expect(providers.tts).toBeInstanceOf(OpenAiTextToSpeech);
    expect(providers.tts.label).toBe('openai:gpt-4o-mini-tts');
    expect(providers.stt).toBeInstanceOf(OpenAiSpeechToText);
    expect(providers.chat).toBeInstanceOf(OpenAiChatModel);
    expect(providers.chat!.label).toBe('openai:gpt-4o-mini');
  });

  it('has no listener with STT_PROVIDER=none', () => {
    expect(createSpeechProviders(configOf({ STT_PROVIDER: 'none' })).stt).toBeNull();
  });
});
