import type { AvatarRendererFactory } from './avatar-renderer';
import type { AvatarSessionGrant } from './avatar-session';

/** The adapter for a grant's vendor, loaded only when an avatar is granted; null if none exists. */
export async function rendererFor(grant: AvatarSessionGrant): Promise<AvatarRendererFactory | null> {
  if (grant.vendor === 'simli') return (await import('./simli-renderer')).createSimliRenderer;
  // Spatius sessions are minted by the server, but no browser adapter exists yet: the orb shows.
  return null;
}
