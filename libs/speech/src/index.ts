export * from './ports';
export * from './wav';
export * from './resample';
export * from './espeak.tts';
export * from './pocketsphinx.stt';
export * from './openai-compatible';
export * from './speech.config';
export * from './providers';
