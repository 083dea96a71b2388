/**
 * The app frames' owners (STYLE "Each feature owns its frames"): every frame type that reaches
 * the app after the handshake has exactly one handler, registered by the feature that owns it in
 * one exhaustive table. A frame type with no owner is a type error where the table is composed
 * (web/src/lib/parley.ts), so a new frame cannot be forgotten.
 */
import type { AppFrame, MeshPeer } from '../net/room-mesh';

/** The `type` tags of the app frames. */
export type AppFrameType = AppFrame['type'];

/** The handler of one frame type; the link's next frame waits for the returned promise. */
export type FrameHandler<T extends AppFrameType> = (
  peer: MeshPeer,
  frame: Extract<AppFrame, { type: T }>,
) => void | Promise<void>;

/** One handler per app frame type. */
export type FrameHandlers = { [T in AppFrameType]: FrameHandler<T> };

/** Hands a frame to its owner. */
export function dispatchFrame(
  handlers: FrameHandlers,
  peer: MeshPeer,
  frame: AppFrame,
): void | Promise<void> {
  const handler = handlers[frame.type] as FrameHandler<AppFrameType>;
  return handler(peer, frame);
}
