export * from './ports';
export * from './pcm';
export * from './espeak.tts';
export * from './pocketsphinx.stt';
export * from './openai-compatible';
export * from './speech.config';
export * from './providers';
