import type { Provider, Type } from '@nestjs/common';
import { AvatarSessionsController } from './avatar-sessions.controller';
import { AvatarSessionsService } from './avatar-sessions.service';

// R-A2/R-A3: what avatar sessions add to the media plane's module (app.module.ts spreads these in,
// so they share the app's config, auth, Redis, user-management client and metrics).
export const avatarsControllers: Type[] = [AvatarSessionsController];
export const avatarsProviders: Provider[] = [AvatarSessionsService];
