/**
 * The lint self-test (STYLE "Boundaries are checked, and the check is tested"): probe files that
 * break each boundary of DESIGN §2 must fail lint, and probes that keep them must pass, so a zone
 * can never die silently (as two of three did when flat config let a later block replace an
 * earlier one). The probes exist only as text handed to ESLint under a path inside the zone.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const RULE = 'import-x/no-restricted-paths';

const eslint = new ESLint({
  // Only the boundary rule, without type information: the probe files do not exist on disk.
  overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
  ruleFilter: ({ ruleId }) => ruleId === RULE,
});

/** The boundary violations ESLint reports for `code` placed at `filePath`. */
async function violations(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  const fatal = result?.messages.filter((m) => m.fatal) ?? [];
  if (fatal.length > 0) throw new Error(`probe did not parse: ${fatal[0]?.message}`);
  return (result?.messages ?? []).filter((m) => m.ruleId === RULE).map((m) => m.message);
}

const svelte = (imports: string): string => `<script lang="ts">\n${imports}\n</script>\n`;

describe('the layering lint rule', () => {
  const mustFail: [string, string, string][] = [
    [
      'a component importing the IndexedDB adapter',
      'web/src/lib/features/messaging/Probe.svelte',
      svelte("  import { openIdbStore } from '../../storage/idb-store';"),
    ],
    [
      'a component importing the room mesh',
      'web/src/lib/ui/Probe.svelte',
      svelte("  import { RoomMesh } from '../net/room-mesh';"),
    ],
    [
      'a component importing peerjs',
      'web/src/lib/shell/Probe.svelte',
      svelte("  import { Peer } from 'peerjs';"),
    ],
    [
      'a state module importing peerjs',
      'web/src/lib/features/calls/probe.svelte.ts',
      "import { Peer } from 'peerjs';\nexport const p = Peer;\n",
    ],
    [
      'the kernel importing idb',
      'web/src/lib/kernel/probe.ts',
      "import { openDB } from 'idb';\nexport const o = openDB;\n",
    ],
    [
      'the kernel importing a feature',
      'web/src/lib/kernel/probe.ts',
      "import { Typing } from '../features/typing/typing.svelte';\nexport const t = Typing;\n",
    ],
    [
      'domain code importing the network',
      'web/src/lib/domain/probe.ts',
      "import { RoomMesh } from '../net/room-mesh';\nexport const m = RoomMesh;\n",
    ],
    [
      'protocol code importing the store adapter',
      'web/src/lib/protocol/probe.ts',
      "import { openIdbStore } from '../storage/idb-store';\nexport const o = openIdbStore;\n",
    ],
    [
      'product code importing a test helper',
      'web/src/lib/features/typing/probe.ts',
      "import { makeEvent } from '../../testing/factories';\nexport const m = makeEvent;\n",
    ],
    [
      'product code importing the in-memory transport',
      'web/src/bootstrap-probe.ts',
      "import { MemoryHub } from './lib/net/memory-transport';\nexport const h = MemoryHub;\n",
    ],
    [
      'a feature’s state importing another feature',
      'web/src/lib/features/receipts/probe.ts',
      "import { Typing } from '../typing/typing.svelte';\nexport const t = Typing;\n",
    ],
    [
      'the signal server importing web code other than the protocol',
      'signal/src/probe.ts',
      "import { Kernel } from '../../web/src/lib/kernel/kernel.svelte';\nexport const k = Kernel;\n",
    ],
  ];

  for (const [what, filePath, code] of mustFail) {
    it(`refuses ${what}`, async () => {
      expect(await violations(filePath, code)).toHaveLength(1);
    });
  }

  const mustPass: [string, string, string][] = [
    [
      'a component importing the store’s record types and another feature’s component',
      'web/src/lib/features/conversations/Probe.svelte',
      svelte(
        "  import type { Conversation } from '../../storage/chat-store';\n" +
          "  import TypingIndicator from '../typing/TypingIndicator.svelte';\n" +
          '  let c: Conversation | null = null;',
      ),
    ],
    [
      'the transport importing peerjs',
      'web/src/lib/net/peerjs-transport.ts',
      "import { Peer } from 'peerjs';\nexport const p = Peer;\n",
    ],
    [
      'the IndexedDB adapter importing idb',
      'web/src/lib/storage/idb-schema.ts',
      "import { openDB } from 'idb';\nexport const o = openDB;\n",
    ],
    [
      'a test importing test helpers and the in-memory transport',
      'web/src/lib/features/typing/probe.test.ts',
      "import { makeEvent } from '../../testing/factories';\n" +
        "import { MemoryHub } from '../../net/memory-transport';\n" +
        'export const m = [makeEvent, MemoryHub];\n',
    ],
    [
      'the composition root importing every feature',
      'web/src/lib/parley-probe.ts',
      "import { Typing } from './features/typing/typing.svelte';\n" +
        "import { Kernel } from './kernel/kernel.svelte';\nexport const k = [Typing, Kernel];\n",
    ],
  ];

  for (const [what, filePath, code] of mustPass) {
    it(`allows ${what}`, async () => {
      expect(await violations(filePath, code)).toEqual([]);
    });
  }
});
