import { RoomEvent, type Room } from 'livekit-client';

export type LinkPhase = 'reconnecting' | 'connected';

/**
 * A lost signal connection (SignalReconnecting) and lost media (Reconnecting) look the same to the
 * people in the room: the room is kept, the page shows a banner until it is back, and telemetry
 * gets a marker for each, so support can tell the two apart.
 */
export function followReconnects(
  room: Room,
  onPhase: (phase: LinkPhase) => void,
  marker: (message: string, data?: Record<string, string>) => void,
): Room {
  return room
    .on(RoomEvent.SignalReconnecting, () => {
      onPhase('reconnecting');
      marker('connection.reconnecting', { scope: 'signal' });
    })
    .on(RoomEvent.Reconnecting, () => {
      onPhase('reconnecting');
      marker('connection.reconnecting', { scope: 'media' });
    })
    .on(RoomEvent.Reconnected, () => {
      onPhase('connected');
      marker('connection.reconnected');
    });
}
