// Starts subgraphs (and optionally the gateway) in this process on free ports, against the test
// store, and counts the database commands each subgraph issues.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { inject } from 'vitest';
import type { CommandStartedEvent } from 'mongodb';
import { AUDIT_DATABASE_NAME, DATABASE_NAMES, SUBGRAPH_NAMES, loadConfig, type Config, type SubgraphName } from '../../config/index.js';
import { ASSERTION_HEADER, SPENT_ASSERTIONS, assertionSigningKey, auditSigningKey, issueDevToken, signAssertion, type CallIdentity, type Org, type Principal, type Purpose } from '../../auth/index.js';
import { startGateway, type RunningGateway } from '../../gateway/index.js';
import type { Db } from 'mongodb';
import { connectDatabase, isHousekeeping, leaveOut } from '../../platform/index.js';
import { DISCLOSURE_LOG, governedSubgraphPipeline, seedDemoData, startSubgraph, type SubgraphPipeline } from '../../subgraphs/index.js';
import { TEST_SEED } from './seed-options.js';
import type { RunningSubgraph } from '../../subgraphs/index.js';


export interface TestStack {
  subgraphs: Partial<Record<SubgraphName, RunningSubgraph>>;
  gateway: RunningGateway | null;
  /** Database commands issued by each subgraph since the last `resetCommands`. */
  commands: Record<SubgraphName, string[]>;
  resetCommands(): void;
  stop(): Promise<void>;
}

/** The configuration tests run with: development defaults, keys in the run's temporary folder. */
export function testConfig(): Config {
  // Checkpoints every 5 records, so short test runs produce signed segments to verify.
  return loadConfig({ KEYS_DIR: inject('keysDir'), AUDIT_CHECKPOINT_RECORDS: '5' });
}

/** The gateway's access-log database in the test store. */
export function testAuditStore(): { uri: string; database: string } {
  return { uri: inject('mongoUri'), database: AUDIT_DATABASE_NAME };
}

/**
 * A gateway on free ports in front of already running subgraphs, with `config` (default: the
 * test configuration) and the test store's access log (or `auditStore`).
 */
export function startTestGateway(
  subgraphs: TestStack['subgraphs'],
  config: Config = testConfig(),
  auditStore: { uri: string; database: string } = testAuditStore(),
): Promise<RunningGateway> {
  const subgraphUrls = Object.fromEntries(Object.entries(subgraphs).map(([name, s]) => [name, s.url]));
  return startGateway({ config, auditStore, subgraphUrls, listen: { host: '127.0.0.1', port: 0 }, auditPort: 0 });
}

/** The production list less the sharing rules (and so the masks): what every record really holds. */
export const withoutSharingRules: SubgraphPipeline = leaveOut(governedSubgraphPipeline, ['sharing-rules']);

export async function startTestStack(
  options: {
    subgraphs?: SubgraphName[];
    gateway?: boolean;
    enforceSharing?: boolean;
    /**
     * Databases of the stack's own (the demo data loaded afresh, the access log empty), named with
     * this suffix: for a file that writes, so the files that read the shared ones see what they expect.
     */
    ownDatabases?: string;
    /** The subgraphs' clock (a workflow's timestamps and deadlines). */
    clock?: () => Date;
    /** How often the subgraphs read their grants on application again. */
    grantRefresh?: { refreshMs?: number; staleMs?: number };
  } = {},
): Promise<TestStack> {
  const names = options.subgraphs ?? [...SUBGRAPH_NAMES];
  const uri = inject('mongoUri');
  const databaseOf = (name: string) => (options.ownDatabases ? `${name}_${options.ownDatabases}` : name);
  if (options.ownDatabases) {
    const connections = await Promise.all(SUBGRAPH_NAMES.map((name) => connectDatabase(uri, databaseOf(DATABASE_NAMES[name]), 'linkage-test-seed')));
    await seedDemoData(Object.fromEntries(SUBGRAPH_NAMES.map((name, i) => [name, connections[i]!.db])) as Record<SubgraphName, Db>, TEST_SEED, testConfig());
    await connections[0]!.client.db(databaseOf(AUDIT_DATABASE_NAME)).dropDatabase();
    await Promise.all(connections.map((c) => c.close()));
  }
  const commands = { government: [], court: [], procuratorate: [] } as Record<SubgraphName, string[]>;
  const subgraphs: TestStack['subgraphs'] = {};
  for (const name of names) {
    const running = await startSubgraph(name, {
      config: testConfig(),
      store: { uri, database: databaseOf(DATABASE_NAMES[name]) },
      listen: { host: '127.0.0.1', port: 0 },
      ...(options.enforceSharing === false ? { pipeline: withoutSharingRules } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.grantRefresh ? { grantRefresh: options.grantRefresh } : {}),
    });
    running.database.client.on('commandStarted', (event: CommandStartedEvent) => {
      // e.g. "find adminCases": the command and the collection it ran on. The disclosure log's own
      // writes (one per request, and its checkpoints) and the spending of each call's assertion
      // (one insert per call, and its sweep) are not the data reads these counts are about.
      const target = event.command[event.commandName];
      if (isHousekeeping(event) || (typeof target === 'string' && (target.startsWith(DISCLOSURE_LOG) || target === SPENT_ASSERTIONS))) return;
      commands[name].push(typeof target === 'string' ? `${event.commandName} ${target}` : event.commandName);
    });
    subgraphs[name] = running;
  }
  const gateway = options.gateway ? await startTestGateway(subgraphs, testConfig(), { uri, database: databaseOf(AUDIT_DATABASE_NAME) }) : null;
  return {
    subgraphs,
    gateway,
    commands,
    resetCommands() {
      for (const name of SUBGRAPH_NAMES) commands[name].length = 0;
    },
    async stop() {
      await gateway?.stop();
      for (const s of Object.values(subgraphs)) await s.stop();
    },
  };
}

let shared: Promise<TestStack> | null = null;

/**
 * One governed stack (three subgraphs and a gateway) for the test files that only read: started
 * by the first file that asks, then shared by the rest of the run (vitest runs the files one after
 * another in one process, isolate: false). It is never stopped by a file; it ends with the run.
 */
export function sharedTestStack(): Promise<TestStack> {
  shared ??= startTestStack({ gateway: true });
  return shared;
}

export interface GraphQLResponse {
  status: number;
  body: { data?: unknown; errors?: unknown[] } & Record<string, unknown>;
}

export async function postGraphQL(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLResponse['body'] };
}

/** The public half of a log's development checkpoint key (what an auditor passes to audit:verify as --key). */
export function devAuditKey(log: string): KeyObject {
  const config = testConfig();
  return createPublicKey(auditSigningKey(config.auth, config.audit, log));
}

/** A caller: org and roles, with the other claims filled in plausibly. */
export function principal(org: Org, roles: string[], unit: string | null = null): Principal {
  return { sub: `test-${org}-${roles.join('-')}${unit ? `-${unit}` : ''}`, name: `Test ${org} ${roles.join(' ')}`, org, roles, unit };
}

/** Headers of a gateway request by `who` for `purpose`, with a development token. */
export async function callerHeaders(who: Principal, purpose: Purpose, ttlSeconds = 300): Promise<Record<string, string>> {
  const token = await issueDevToken(testConfig().auth, who, ttlSeconds);
  return { authorization: `Bearer ${token}`, 'x-purpose': purpose };
}

/** Posts to a subgraph directly, as the gateway would: with an assertion over the exact body. */
export async function postSubgraph(
  subgraph: SubgraphName,
  url: string,
  query: string,
  variables: Record<string, unknown> | undefined,
  identity: CallIdentity,
  key: KeyObject = assertionSigningKey(testConfig().auth),
): Promise<GraphQLResponse & { assertion: string; body_: string }> {
  const body = JSON.stringify({ query, variables });
  const assertion = await signAssertion(key, subgraph, identity, body);
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', [ASSERTION_HEADER]: assertion }, body });
  return { status: response.status, body: (await response.json()) as GraphQLResponse['body'], assertion, body_: body };
}
