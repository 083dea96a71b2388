/**
 * The Worker that checks one download's chunks (chunk-check-core.ts; chunk-checks.ts starts one
 * per large download and ends it when the download ends), so hashing and making Blobs do not hold
 * up the page that receives the pieces.
 */
import { serveChunkChecks, type ChunkCheckPort } from './chunk-check-core';

serveChunkChecks(globalThis as unknown as ChunkCheckPort);
