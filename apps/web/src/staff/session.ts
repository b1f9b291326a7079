import { useSyncExternalStore } from 'react';
import { ApiError, requestJson, type RequestOptions } from '../http';

export type StaffRole = 'admin' | 'recruiter' | 'hiring_manager' | 'interviewer';

export interface StaffUser {
  id: string;
  orgId: string;
  email: string;
  displayName: string;
  role: StaffRole;
}

interface StaffSession {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
  user: StaffUser;
}

// The refresh token lives in this tab's sessionStorage (gone when the tab closes, never in a
// cookie or a URL); the access token only in memory. An access token is renewed a minute before it
// expires, and once on a 401, by one refresh shared by every request waiting on it (the refresh
// token rotates: two parallel refreshes would look like a stolen token to user-management).
const STORAGE_KEY = 'parley.staff.refresh';
const RENEW_BEFORE_MS = 60_000;

let session: StaffSession | null = null;
let refreshing: Promise<StaffSession | null> | null = null;
let renewTimer: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<() => void>();

function publish(next: StaffSession | null) {
  session = next;
  clearTimeout(renewTimer);
  if (next) {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ refreshToken: next.refreshToken, user: next.user }));
    const delay = Date.parse(next.accessTokenExpiresAt) - Date.now() - RENEW_BEFORE_MS;
    renewTimer = setTimeout(() => void refresh(), Math.max(5_000, delay));
  } else {
    sessionStorage.removeItem(STORAGE_KEY);
  }
  listeners.forEach((l) => l());
}

function storedRefresh(): { refreshToken: string; user: StaffUser } | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as { refreshToken: string; user: StaffUser }) : null;
  } catch {
    return null;
  }
}

function refresh(): Promise<StaffSession | null> {
  const refreshToken = session?.refreshToken ?? storedRefresh()?.refreshToken;
  if (!refreshToken) return Promise.resolve(null);
  refreshing ??= requestJson<StaffSession>('/v1/auth/refresh', { body: { refreshToken } })
    .then(
      (next) => {
        publish(next);
        return next;
      },
      (err: unknown) => {
        // A refused refresh token ends the session; a network failure keeps it for a retry.
        if (err instanceof ApiError && (err.status === 401 || err.status === 403)) publish(null);
        throw err;
      },
    )
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

export async function signIn(email: string, password: string): Promise<StaffUser> {
  const next = await requestJson<StaffSession>('/v1/auth/login', { body: { email, password } });
  publish(next);
  return next.user;
}

export async function signOut(): Promise<void> {
  const refreshToken = session?.refreshToken ?? storedRefresh()?.refreshToken;
  publish(null);
  if (refreshToken) await requestJson('/v1/auth/logout', { body: { refreshToken } }).catch(() => undefined);
}

/**
 * Resumes this tab's session after a reload (one refresh), or null when there is none. Pages call
 * it once at start.
 */
export async function resumeSession(): Promise<StaffUser | null> {
  if (session) return session.user;
  if (!storedRefresh()) return null;
  try {
    return (await refresh())?.user ?? null;
  } catch {
    return null;
  }
}

/** A request as the signed-in staff member: renews the access token once on a 401. */
export async function staffRequest<T>(url: string, options: Omit<RequestOptions, 'token'> = {}): Promise<T> {
  const current = session ?? (await refresh());
  if (!current) throw new ApiError(401, 'not signed in');
  try {
    return await requestJson<T>(url, { ...options, token: current.accessToken });
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) throw err;
    const renewed = await refresh().catch(() => null);
    if (!renewed) throw err;
    return requestJson<T>(url, { ...options, token: renewed.accessToken });
  }
}

/** The signed-in user, re-rendering on sign-in, renewal and sign-out. */
export function useStaffUser(): StaffUser | null {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => session?.user ?? null,
  );
}
