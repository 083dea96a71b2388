/**
 * The Worker that verifies received events' signatures off the main thread (DESIGN §6), so a
 * history arriving in bursts does not hold up rendering and storing. Same origin, started by
 * verifier.ts; it answers each request in turn.
 */
import { answerVerifyRequest, type VerifyRequest } from './verify-requests';

const scope = globalThis as unknown as {
  addEventListener(type: 'message', listener: (event: MessageEvent<VerifyRequest>) => void): void;
  postMessage(message: unknown): void;
};

scope.addEventListener('message', (event) => {
  void answerVerifyRequest(event.data).then((answer) => scope.postMessage(answer));
});
