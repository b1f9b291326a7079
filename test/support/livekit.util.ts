import { AccessToken, type VideoGrant } from 'livekit-server-sdk';

/** Mints a join token the way the token authority will (tests only; the apps own real minting). */
export async function joinToken(
  env: Record<string, string>,
  identity: string,
  room: string,
  grant: Omit<VideoGrant, 'room' | 'roomJoin'> = {},
): Promise<string> {
  const token = new AccessToken(env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET, { identity, ttl: '10m' });
  token.addGrant({ roomJoin: true, room, ...grant });
  return token.toJwt();
}
