import type { Provider, Type } from '@nestjs/common';
import { SpeechController } from './speech.controller';
import { SpeechService } from './speech.service';

// R-A1: what the TTS endpoint adds to the media plane's module (app.module.ts spreads these in, so
// it shares the app's config, auth, Redis, object store and metrics).
export const speechControllers: Type[] = [SpeechController];
export const speechProviders: Provider[] = [SpeechService];
