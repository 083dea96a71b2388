// Where file chunks are cheapest to keep: IndexedDB Blob rows (what Parley does, DESIGN §10
// "Files") against the origin private file system through a synchronous access handle in a
// Worker (the alternative tried on branch experiment/opfs-chunk-files), in the same browser and
// run. `npm run bench -- storage [--mib 128] [--rounds 3]`.
//
// Each variant stores --mib MiB as 1 MiB chunks, 4 per batch (the app's batch), then reads them
// back 4 at a time; the bytes come from four buffers made once, so allocation is not measured.
// Variants alternate each round; medians are reported with the CPU every Chromium process used.
//  - idb: a readwrite transaction (relaxed durability) per batch, each chunk `new Blob([bytes])`;
//    reading: getAll of the batch's rows, then one read of the Blobs joined.
//  - opfs: the batch posted (copied) to the Worker, which appends it through its access handle;
//    reading: the Worker reads 4 MiB and hands the buffer back.
//  - opfs-in-worker: the Worker writes bytes it already has (no posting): the handle's own cost.
//  - post-only: the batch posted and answered, nothing written: the cost of reaching the Worker.
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import {
  cpuMeter,
  cpuSince,
  formatMs,
  launchChromium,
  machineInfo,
  markdownTable,
  median,
  parseOptions,
  round2,
  writeResults,
} from './lib.mjs';

const DEFAULTS = { mib: 128, rounds: 3 };
const VARIANTS = ['idb', 'opfs', 'opfs-in-worker', 'post-only'];
const CHUNK = 1024 * 1024;
const BATCH_CHUNKS = 4;

const PAGE = `<!doctype html><meta charset="utf-8"><title>storage bench</title>`;
const WORKER = `
let folder = null;
let handle = null;
let own = null;
onmessage = async ({ data }) => {
  try {
    if (data.op === 'reset') {
      handle?.close();
      handle = null;
      const root = await navigator.storage.getDirectory();
      await root.removeEntry('bench', { recursive: true }).catch(() => undefined);
      folder = await root.getDirectoryHandle('bench', { create: true });
      const file = await folder.getFileHandle('chunks', { create: true });
      handle = await file.createSyncAccessHandle({ mode: 'readwrite-unsafe' });
      own = Array.from({ length: ${BATCH_CHUNKS} }, (_, i) => new Uint8Array(${CHUNK}).fill(i + 1));
      postMessage({ ok: true, mode: handle.mode });
    } else if (data.op === 'write') {
      let at = data.at;
      for (const bytes of data.parts ?? own) at += handle.write(bytes, { at });
      postMessage({ ok: true });
    } else if (data.op === 'post') {
      postMessage({ ok: true });
    } else if (data.op === 'read') {
      const bytes = new Uint8Array(data.into, 0, data.length);
      const read = handle.read(bytes, { at: data.at });
      postMessage({ ok: true, read, into: data.into }, [data.into]);
    }
  } catch (error) {
    postMessage({ ok: false, error: String(error) });
  }
};`;

/** @param {string[]} argv */
export default async function storageBenchmark(argv) {
  const options = parseOptions(argv, DEFAULTS);
  const batches = Math.ceil(options.mib / BATCH_CHUNKS);
  const server = createServer((request, response) => {
    const isWorker = request.url === '/worker.js';
    response.setHeader('content-type', isWorker ? 'text/javascript' : 'text/html');
    response.end(isWorker ? WORKER : PAGE);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const { browser } = await launchChromium();
  const loadStart = loadavg();
  try {
    const readCpu = await cpuMeter(browser);
    const page = await (await browser.newContext()).newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.evaluate(setUpPage, { chunk: CHUNK, batchChunks: BATCH_CHUNKS });
    /** @type {Record<string, { writeMs: number[], readMs: number[], cpu: Record<string, number>[] }>} */
    const results = Object.fromEntries(
      VARIANTS.map((v) => [v, { writeMs: [], readMs: [], cpu: [] }]),
    );
    for (let round = 0; round < options.rounds; round += 1) {
      // Alternate the order so no variant always runs first (or right after the same one).
      const order = round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
      for (const variant of order) {
        await page.evaluate(() => window.__bench.reset());
        const before = await readCpu();
        const { writeMs, readMs } = await page.evaluate(
          ({ variant, batches }) => window.__bench.run(variant, batches),
          { variant, batches },
        );
        const cpu = cpuSince(before, await readCpu());
        results[variant]?.writeMs.push(writeMs);
        if (readMs !== null) results[variant]?.readMs.push(readMs);
        results[variant]?.cpu.push(cpu);
        console.info(
          `storage: round ${round + 1} ${variant}: write ${formatMs(writeMs)} ms` +
            (readMs === null ? '' : `, read ${formatMs(readMs)} ms`),
        );
      }
    }
    const report = buildReport(results, options, {
      ...machineInfo({ browserVersion: browser.version() }),
      loadAverageAtStart: loadStart.map(round2),
      loadAverageAtEnd: loadavg().map(round2),
    });
    const written = writeResults('storage', report.data, report.markdown);
    console.info(`storage: wrote ${written.markdownPath}`);
  } finally {
    await browser.close();
    server.close();
  }
}

/**
 * Installs window.__bench in the page: `reset()` empties both stores, `run(variant, batches)`
 * writes and reads back `batches` batches and returns the milliseconds of each.
 * @param {{ chunk: number, batchChunks: number }} sizes
 */
function setUpPage({ chunk, batchChunks }) {
  const parts = Array.from({ length: batchChunks }, (_, i) => new Uint8Array(chunk).fill(i + 1));
  const worker = new Worker('/worker.js');
  /** @type {(message: object, transfer?: Transferable[]) => Promise<any>} */
  const call = (message, transfer = []) =>
    new Promise((resolve, reject) => {
      worker.onmessage = ({ data }) => (data.ok ? resolve(data) : reject(new Error(data.error)));
      worker.postMessage(message, transfer);
    });
  /** @type {Promise<IDBDatabase>} */
  const opening = new Promise((resolve, reject) => {
    const open = indexedDB.open('bench', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('blobs');
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  /** @param {IDBTransaction} tx */
  const done = (tx) =>
    new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve(undefined);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  /** @param {IDBRequest} request */
  const result = (request) =>
    new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  const batchBytes = chunk * batchChunks;
  /** @type {any} */ (window).__bench = {
    async reset() {
      const db = await opening;
      const tx = db.transaction('blobs', 'readwrite');
      tx.objectStore('blobs').clear();
      await done(tx);
      const { mode } = await call({ op: 'reset' });
      if (mode !== 'readwrite-unsafe') throw new Error(`access handles are '${mode}'`);
    },
    /** @param {string} variant @param {number} batches */
    async run(variant, batches) {
      const db = await opening;
      let start = performance.now();
      for (let b = 0; b < batches; b += 1) {
        if (variant === 'idb') {
          const tx = db.transaction('blobs', 'readwrite', { durability: 'relaxed' });
          const store = tx.objectStore('blobs');
          parts.forEach((bytes, i) => store.put(new Blob([bytes]), b * batchChunks + i));
          await done(tx);
        } else if (variant === 'opfs') {
          await call({ op: 'write', at: b * batchBytes, parts });
        } else if (variant === 'opfs-in-worker') {
          await call({ op: 'write', at: b * batchBytes });
        } else {
          await call({ op: 'post', parts });
        }
      }
      const writeMs = performance.now() - start;
      if (variant === 'post-only' || variant === 'opfs-in-worker') return { writeMs, readMs: null };
      let into = new ArrayBuffer(batchBytes);
      start = performance.now();
      for (let b = 0; b < batches; b += 1) {
        if (variant === 'idb') {
          const tx = db.transaction('blobs', 'readonly');
          const range = IDBKeyRange.bound(b * batchChunks, (b + 1) * batchChunks - 1);
          const rows = /** @type {Blob[]} */ (await result(tx.objectStore('blobs').getAll(range)));
          const bytes = await new Blob(rows).arrayBuffer();
          if (bytes.byteLength !== batchBytes) throw new Error(`read ${bytes.byteLength} B`);
        } else {
          const answer = await call({ op: 'read', at: b * batchBytes, length: batchBytes, into }, [
            into,
          ]);
          if (answer.read !== batchBytes) throw new Error(`read ${answer.read} B`);
          into = answer.into;
        }
      }
      return { writeMs, readMs: performance.now() - start };
    },
  };
}

/**
 * @param {Record<string, { writeMs: number[], readMs: number[], cpu: Record<string, number>[] }>} results
 * @param {typeof DEFAULTS} options
 * @param {Record<string, unknown>} machine
 */
function buildReport(results, options, machine) {
  const mib = Math.ceil(options.mib / BATCH_CHUNKS) * BATCH_CHUNKS;
  const idbWrite = median(results.idb?.writeMs ?? []);
  const idbRead = median(results.idb?.readMs ?? []);
  const types = [...new Set(Object.values(results).flatMap((r) => r.cpu.flatMap(Object.keys)))]
    // Processes that did next to nothing in every variant (under 0.05 ms per MiB) are left out.
    .filter((type) =>
      Object.values(results).some((r) => median(r.cpu.map((c) => c[type] ?? 0)) / mib >= 0.05),
    )
    .sort();
  const rows = VARIANTS.map((variant) => {
    const r = results[variant] ?? { writeMs: [], readMs: [], cpu: [] };
    const write = median(r.writeMs);
    const read = r.readMs.length > 0 ? median(r.readMs) : null;
    const cpuPerMib = (/** @type {string} */ type) =>
      formatMs(median(r.cpu.map((c) => c[type] ?? 0)) / mib);
    return [
      variant,
      formatMs(write),
      `${round2(mib / (write / 1000))}`,
      `${round2(write / idbWrite)}×`,
      read === null ? '—' : formatMs(read),
      read === null ? '—' : `${round2(read / idbRead)}×`,
      ...types.map(cpuPerMib),
    ];
  });
  const markdown = [
    `# Storage: ${mib} MiB of file chunks, IndexedDB Blobs against the origin private file system`,
    '',
    `Measured ${String(machine.date)} on ${String(machine.cpuModel)} (${String(machine.cores)} cores), ` +
      `Chromium ${String(machine.chromium)}. Load average at start: ` +
      `${/** @type {number[]} */ (machine.loadAverageAtStart).join(' / ')}; at the end: ` +
      `${/** @type {number[]} */ (machine.loadAverageAtEnd).join(' / ')}. ${options.rounds} ` +
      'rounds, the variants alternating; medians.',
    '',
    `1 MiB chunks, ${BATCH_CHUNKS} per batch, written then read back a batch at a time. ` +
      'idb: a relaxed readwrite transaction per batch of `new Blob([bytes])` rows, read as one ' +
      'Blob of the batch. opfs: the batch posted to a Worker that appends it through a ' +
      "'readwrite-unsafe' synchronous access handle, read by the Worker into a buffer handed " +
      'back. opfs-in-worker: the Worker writes bytes it already holds. post-only: posting the ' +
      'batch to the Worker and back, nothing stored.',
    '',
    markdownTable(
      [
        'variant',
        'write ms',
        'write MiB/s',
        'write / idb',
        'read ms',
        'read / idb',
        ...types.map((t) => `CPU ms/MiB: ${t}`),
      ],
      rows,
      ['l', 'r', 'r', 'r', 'r', 'r', ...types.map(() => /** @type {'r'} */ ('r'))],
    ),
    '',
    'CPU: SystemInfo.getProcessInfo before and after each variant (writing and reading), per MiB; ' +
      'renderer includes the page and its Worker.',
  ].join('\n');
  return { data: { machine, options, results }, markdown };
}
