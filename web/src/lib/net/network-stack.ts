/**
 * The network code the session needs once it goes online: the room mesh, the sync engine and the
 * frame splitter. One module so the session loads them together, after the first screen shows
 * (history is read from IndexedDB and never waits for these; README "Bundle budget").
 */
export { RoomMesh } from './room-mesh';
export { isSyncFrame, SyncEngine } from '../sync/sync-engine';
export { WorkerVerifier } from '../sync/verifier';
export { splitEventsIntoFrames } from '../protocol/peer-frames';
