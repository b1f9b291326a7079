import {
  InterviewPlan,
  RoomContext,
  sanitizeText,
  type InterviewResults,
  type MeetingTranscript,
} from '@app/contracts';
import { signServiceToken, type ServiceKey } from '@app/service-auth';
import type { z } from 'zod';

export interface UserManagementClientOptions {
  url: string;
  serviceKey: ServiceKey;
  timeoutMs: number;
}

/** user-management could not be reached, or failed on its side: worth trying again. */
export class UserManagementUnavailable extends Error {}

export type Answer<T> = { outcome: 'ok'; value: T } | { outcome: 'not_found' } | { outcome: 'refused'; status: number };

// The agent's side of user-management's internal API, with the agent's own service key (its
// routes: room context, interview plan, in_progress, results). Every body is sanitized on its way
// out: text user-management cannot store would be refused on every retry.
export class UserManagementClient {
  constructor(private readonly options: UserManagementClientOptions) {}

  roomContext(room: string): Promise<Answer<RoomContext>> {
    return this.request('GET', `/internal/v1/rooms/${encodeURIComponent(room)}`, RoomContext);
  }

  interviewPlan(interviewId: string): Promise<Answer<InterviewPlan>> {
    return this.request('GET', `/internal/v1/interviews/${encodeURIComponent(interviewId)}/plan`, InterviewPlan);
  }

  /** The candidate joined: the interview is in progress from `at`. Repeating it is a no-op there. */
  async reportInProgress(interviewId: string, at: Date): Promise<Answer<unknown>> {
    return this.request('POST', `/internal/v1/interviews/${encodeURIComponent(interviewId)}/status`, undefined, {
      status: 'in_progress',
      at: at.toISOString(),
    });
  }

  /** R-G2: transcript and scorecard; user-management stores the latest, so a retry is harmless. */
  putInterviewResults(interviewId: string, results: InterviewResults): Promise<Answer<unknown>> {
    return this.request(
      'PUT',
      `/internal/v1/interviews/${encodeURIComponent(interviewId)}/results`,
      undefined,
      results,
    );
  }

  /** R-G3: what the silent agent heard in a meeting. */
  putMeetingTranscript(meetingId: string, transcript: MeetingTranscript): Promise<Answer<unknown>> {
    return this.request(
      'PUT',
      `/internal/v1/meetings/${encodeURIComponent(meetingId)}/transcript`,
      undefined,
      transcript,
    );
  }

  private async request<T>(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    schema: z.ZodType<T> | undefined,
    body?: unknown,
  ): Promise<Answer<T>> {
    const { url, serviceKey, timeoutMs } = this.options;
    let response: Response;
    try {
      const token = await signServiceToken(serviceKey, 'interviewer-agent');
      response = await fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(sanitizeText(body)) : undefined,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new UserManagementUnavailable(`user-management unreachable at ${url}: ${(err as Error).message}`);
    }
    if (response.status === 404) return { outcome: 'not_found' };
    if (response.status >= 500 || response.status === 429) {
      throw new UserManagementUnavailable(`user-management answered ${response.status}`);
    }
    if (!response.ok) return { outcome: 'refused', status: response.status };
    const json: unknown = await response.json().catch(() => undefined);
    if (!schema) return { outcome: 'ok', value: json as T };
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new UserManagementUnavailable('user-management sent an answer we cannot read');
    return { outcome: 'ok', value: parsed.data };
  }
}

/**
 * Runs `attempt` until it does not throw UserManagementUnavailable, waiting 0.5 s, 1 s, 2 s … (at
 * most `maxDelayMs`) between tries, for at most `attempts` tries or until `signal` aborts.
 */
export async function withBackoff<T>(
  attempt: () => Promise<T>,
  {
    attempts = 8,
    baseDelayMs = 500,
    maxDelayMs = 15_000,
    signal,
  }: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number; signal?: AbortSignal } = {},
): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof UserManagementUnavailable) || i >= attempts || signal?.aborted) throw err;
      const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** (i - 1)) * (0.8 + Math.random() * 0.4);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
