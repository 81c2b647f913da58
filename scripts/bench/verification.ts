// `npm run bench:verify [records...]`: how long an auditors' overview takes to verify a log of
// 10,000 and 100,000 records (default), on the embedded store: the first call reads every record,
// the second only what was added since the last verified checkpoint (plus a few new records).
// Target: the second call under 1 s at 100,000. A benchmark, not a test: it prints figures.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { MongoClient } from 'mongodb';
import { AuditWriter, VerificationCache, createAuditLogStore, verifyAll } from '../../audit/index.js';
import { loadConfig } from '../../config/index.js';
import { freePort, startEmbeddedStore } from '../../platform/index.js';

const sizes = process.argv.slice(2).map(Number).filter((n) => Number.isInteger(n) && n > 0);
const SIZES = sizes.length ? sizes : [10_000, 100_000];
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const dir = mkdtempSync(path.join(os.tmpdir(), 'linkage-bench-verify-'));
const store = await startEmbeddedStore({ ...loadConfig({}).embeddedStore, port: await freePort(), dataDir: dir });
const client = await MongoClient.connect(store.uri);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

try {
  for (const size of SIZES) {
    const log = createAuditLogStore<{ requestId: string; principal: { sub: string; org: string }; purpose: string }>(client.db(`bench_verify_${size}`), 'access');
    await log.ensureIndexes();
    const writer = new AuditWriter(log, `bench/${size}`, privateKey, { checkpointEvery: 50, checkpointSeconds: 3600, maxBatch: 256 });
    await writer.start();
    const started = performance.now();
    const append = async (from: number, to: number) => {
      // 256 at a time, as the group commit batches them under load.
      for (let i = from; i < to; i += 256) {
        await Promise.all(Array.from({ length: Math.min(256, to - i) }, (_, k) => writer.append({ requestId: `r-${i + k}`, principal: { sub: `user-${(i + k) % 97}`, org: 'court' }, purpose: 'CASE_HANDLING' })));
      }
    };
    await append(0, size);
    console.log(`${size} records written in ${seconds(performance.now() - started)}`);
    const cache = new VerificationCache();
    for (const call of ['first (cold)', 'second (warm, 100 new records)', 'full on demand'] as const) {
      if (call.startsWith('second')) await append(size, size + 100);
      const t = performance.now();
      const [result] = await verifyAll(log, publicKey, writer, { cache, full: call === 'full on demand' });
      console.log(`  overview, ${call}: ${seconds(performance.now() - t)} (${result!.records} records, ok ${result!.ok})`);
    }
    await writer.stop();
  }
} finally {
  await client.close();
  await store.stop();
  rmSync(dir, { recursive: true, force: true });
}
