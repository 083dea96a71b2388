// A stock PeerServer from the same `peer` package Parley uses, for `npm run bench -- signal` to
// compare against: no rooms, no limits of ours. Its `concurrent_limit` (5,000 by default) is
// raised to PEER_CONCURRENT_LIMIT so it can hold the benchmark's clients. Prints the same
// "listening on" line as Parley's server. WebSocket at ws://host:port/peerjs.
import { PeerServer } from 'peer';

const server = PeerServer(
  {
    port: Number(process.env.PORT ?? 0),
    host: process.env.HOST ?? '127.0.0.1',
    path: '/',
    concurrent_limit: Number(process.env.PEER_CONCURRENT_LIMIT ?? 5_000),
    alive_timeout: 90_000,
  },
  (httpServer) => {
    const address = httpServer.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    process.stdout.write(`Stock PeerServer is listening on http://127.0.0.1:${port}\n`);
  },
);
server.on('error', () => undefined);
process.on('SIGTERM', () => process.exit(0));
