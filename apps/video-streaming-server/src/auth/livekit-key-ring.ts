import { Inject, Injectable } from '@nestjs/common';
import { DomainError, DomainErrorCode } from '@app/errors';
import { decodeJwt } from 'jose';
import { TokenVerifier, WebhookReceiver, type ClaimGrants, type WebhookEvent } from 'livekit-server-sdk';
import { VSS_CONFIG, type VideoStreamingServerConfig } from '../config';
import { reason } from './session-ticket.verifier';

// R-T4: several LiveKit API keys may be active. New tokens are signed with the primary key; a
// token or webhook signed with any configured key verifies (LiveKit puts the key id in `iss`).
@Injectable()
export class LiveKitKeyRing {
  private readonly verifiers = new Map<string, TokenVerifier>();
  private readonly receivers = new Map<string, WebhookReceiver>();

  constructor(@Inject(VSS_CONFIG) config: VideoStreamingServerConfig) {
    for (const key of config.livekitKeys) {
      this.verifiers.set(key.id, new TokenVerifier(key.id, key.secret));
      this.receivers.set(key.id, new WebhookReceiver(key.id, key.secret));
    }
  }

  private keyIdOf(jwt: string | undefined): string | undefined {
    if (!jwt) return undefined;
    try {
      const iss = decodeJwt(jwt).iss;
      return typeof iss === 'string' ? iss : undefined;
    } catch {
      return undefined;
    }
  }

  async verifyToken(token: string): Promise<ClaimGrants> {
    const verifier = this.verifiers.get(this.keyIdOf(token) ?? '');
    if (!verifier) throw new DomainError(DomainErrorCode.Unauthenticated, 'LiveKit token rejected: unknown API key');
    try {
      return await verifier.verify(token, 5);
    } catch (err) {
      throw new DomainError(DomainErrorCode.Unauthenticated, `LiveKit token rejected: ${reason(err)}`);
    }
  }

  /** Verifies the Authorization JWT and the body's sha256 claim; throws Unauthenticated otherwise. */
  async receiveWebhook(rawBody: string, authorization: string | undefined): Promise<WebhookEvent> {
    if (!authorization)
      throw new DomainError(DomainErrorCode.Unauthenticated, 'webhook rejected: no Authorization header');
    const receiver = this.receivers.get(this.keyIdOf(authorization) ?? '');
    if (!receiver) throw new DomainError(DomainErrorCode.Unauthenticated, 'webhook rejected: unknown API key');
    try {
      return await receiver.receive(rawBody, authorization, false, 5);
    } catch (err) {
      const message =
        err instanceof Error && /sha256/.test(err.message) ? 'body does not match its signature' : reason(err);
      throw new DomainError(DomainErrorCode.Unauthenticated, `webhook rejected: ${message}`);
    }
  }
}
