import { Inject, Injectable } from '@nestjs/common';
import { RoomContext, sanitizeText, type InterviewStatusUpdate, type RecordingReport } from '@app/contracts';
import { DomainError, DomainErrorCode } from '@app/errors';
import type { z } from 'zod';
import { signServiceToken } from '@app/service-auth';
import { VSS_CONFIG, type VideoStreamingServerConfig } from '../config';

const REQUEST_TIMEOUT_MS = 5_000;

/** user-management could not be reached or failed on its side: worth retrying later. */
export class UserManagementUnavailable extends Error {}
/** user-management refused the request itself (4xx other than 404/409): retrying cannot help. */
export class UserManagementRefused extends Error {}

export type InterviewStatusOutcome =
  | { outcome: 'applied'; status: string }
  // The interview is gone, or already completed/abandoned: a final answer, not a failure.
  | { outcome: 'not_found' | 'conflict'; message: string };

/**
 * The media plane's client for user-management's internal API. Every request carries a fresh
 * service token signed with this service's own key (VSS_INTERNAL_API_KEY), issued as
 * video-streaming-server: user-management only lets it do what the media plane may do.
 */
@Injectable()
export class UserManagementClient {
  constructor(@Inject(VSS_CONFIG) private readonly config: VideoStreamingServerConfig) {}

  async reportInterviewStatus(
    interviewId: string,
    update: z.infer<typeof InterviewStatusUpdate>,
  ): Promise<InterviewStatusOutcome> {
    const response = await this.request(
      'POST',
      `/internal/v1/interviews/${encodeURIComponent(interviewId)}/status`,
      update,
    );
    const body = (await response.json().catch(() => ({}))) as { status?: string; message?: string };
    if (response.ok) return { outcome: 'applied', status: body.status ?? update.status };
    if (response.status === 404 || response.status === 409)
      return { outcome: response.status === 404 ? 'not_found' : 'conflict', message: body.message ?? '' };
    if (response.status >= 500 || response.status === 429 || response.status === 401)
      // 401 too: a key rotation in progress on user-management's side heals without us.
      throw new UserManagementUnavailable(`user-management answered ${response.status}: ${body.message ?? ''}`);
    throw new UserManagementRefused(`user-management refused the report (${response.status}): ${body.message ?? ''}`);
  }

  /**
   * R-R1: the room's org, kind, recording policy and consent. A room user-management does not know
   * is a 404 for the caller; user-management away is a 503 (nothing is recorded on a guess).
   */
  async roomContext(room: string): Promise<RoomContext> {
    let response: Response;
    try {
      response = await this.request('GET', `/internal/v1/rooms/${encodeURIComponent(room)}`);
    } catch (err) {
      throw new DomainError(DomainErrorCode.DependencyUnavailable, (err as Error).message);
    }
    if (response.status === 404)
      throw new DomainError(DomainErrorCode.NotFound, 'no interview or meeting has this room');
    if (!response.ok)
      throw new DomainError(
        DomainErrorCode.DependencyUnavailable,
        `user-management answered ${response.status} for the room's context`,
      );
    return RoomContext.parse(await response.json());
  }

  /** R-R6: a recording's phase and metadata. Idempotent by recording id on user-management's side. */
  async reportRecording(recordingId: string, report: RecordingReport): Promise<void> {
    const response = await this.request('PUT', `/internal/v1/recordings/${encodeURIComponent(recordingId)}`, report);
    if (response.ok) return;
    const body = (await response.json().catch(() => ({}))) as { message?: string };
    if (response.status >= 500 || response.status === 429 || response.status === 401)
      throw new UserManagementUnavailable(`user-management answered ${response.status}: ${body.message ?? ''}`);
    throw new UserManagementRefused(`user-management refused the report (${response.status}): ${body.message ?? ''}`);
  }

  private async request(method: 'POST' | 'PUT' | 'GET', path: string, body?: unknown): Promise<Response> {
    const { url, serviceKey } = this.config.userManagement;
    const token = await signServiceToken(serviceKey, 'video-streaming-server');
    try {
      return await fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        // Text user-management could not store (a lone surrogate, NUL) would be refused on every
        // retry: every body is cleaned on its way out (item 5's rule for Parley's own senders).
        body: body === undefined ? undefined : JSON.stringify(sanitizeText(body)),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      throw new UserManagementUnavailable(`user-management unreachable at ${url}: ${(err as Error).message}`);
    }
  }
}
