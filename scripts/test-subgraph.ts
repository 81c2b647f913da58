// `npm run test:subgraph -- <institution> --url <subgraph URL> --key <gateway assertion private key PEM>`
// runs that institution's subgraph suite (test/<institution>-subgraph.test.ts) against a deployed
// subgraph seeded with the demo district, calling it as the gateway does. Exits 0 when it passes,
// 1 when a test fails, 2 on bad usage.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startVitest } from 'vitest/node';
import { readPrivateKey } from '../auth/index.js';
import { SUBGRAPH_NAMES } from '../config/index.js';

function usage(message: string): never {
  console.error(`test:subgraph: ${message}\nusage: npm run test:subgraph -- <${SUBGRAPH_NAMES.join('|')}> --url <http(s)://host:port/graphql> --key <assertion-private-key.pem>`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({ options: { url: { type: 'string' }, key: { type: 'string' } }, allowPositionals: true, strict: true });
} catch (error) {
  usage((error as Error).message);
}
const { values, positionals } = parsed;
const [name, ...extra] = positionals;
if (!name || extra.length) usage('name one institution');
if (!(SUBGRAPH_NAMES as readonly string[]).includes(name)) usage(`"${name}" is not one of ${SUBGRAPH_NAMES.join(', ')}`);
if (!values.url) usage('--url is required');
let url: URL;
try {
  url = new URL(values.url);
} catch {
  usage(`--url "${values.url}" is not a URL`);
}
if (url.protocol !== 'http:' && url.protocol !== 'https:') usage('--url must be http: or https:');
if (!values.key) usage('--key is required');
if (!existsSync(values.key)) usage(`--key: no such file: ${values.key}`);
try {
  if (readPrivateKey(values.key).asymmetricKeyType !== 'ed25519') usage('--key must be the gateway’s Ed25519 assertion key');
} catch {
  usage(`--key: ${values.key} is not a PEM private key`);
}

// vitest.config.ts reads these two and runs the suite against the deployed subgraph.
process.env.LINKAGE_DEPLOYED_SUBGRAPH_URL = url.href;
process.env.LINKAGE_DEPLOYED_ASSERTION_KEY_FILE = values.key;
const vitest = await startVitest('test', [`test/${name}-subgraph.test.ts`], { run: true, watch: false });
await vitest.close();
process.exit(vitest.state.getCountOfFailedTests() > 0 || process.exitCode ? 1 : 0);
