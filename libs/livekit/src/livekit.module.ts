import { Global, Injectable, Module, type DynamicModule } from '@nestjs/common';
import type { DependencyCheck } from '@app/observability';
import { RoomServiceClient } from 'livekit-server-sdk';

export interface LiveKitOptions {
  /** ws:// or wss:// URL that clients and agents dial. */
  url: string;
  apiKey: string;
  apiSecret: string;
  requestTimeoutMs: number;
}

/** The server API (Twirp) lives on the same host and port as the signalling WebSocket. */
export function liveKitApiUrl(wsUrl: string): string {
  const url = new URL(wsUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  return url.toString().replace(/\/$/, '');
}

export function createRoomServiceClient(options: LiveKitOptions): RoomServiceClient {
  return new RoomServiceClient(liveKitApiUrl(options.url), options.apiKey, options.apiSecret, {
    requestTimeout: Math.ceil(options.requestTimeoutMs / 1000),
  });
}

@Injectable()
export class LiveKitCheck implements DependencyCheck {
  readonly name = 'livekit' as const;
  constructor(private readonly rooms: RoomServiceClient) {}

  // listRooms proves both reachability and that our API key is accepted.
  async check(): Promise<void> {
    await this.rooms.listRooms([]);
  }
}

@Global()
@Module({})
export class LiveKitModule {
  static forRoot(options: LiveKitOptions): DynamicModule {
    return {
      module: LiveKitModule,
      providers: [{ provide: RoomServiceClient, useFactory: () => createRoomServiceClient(options) }, LiveKitCheck],
      exports: [RoomServiceClient, LiveKitCheck],
    };
  }
}
