// Serves one subgraph: its schema (with, for an institution, the auditors' fields over its
// disclosure log) behind its plugin list (subgraphs/shared/pipeline.ts). Refuses to start on a
// field without a sharing class, a rule naming what does not exist, or a resolver for a field the
// schema lacks (Apollo would silently skip it, and the field would always be null).
import type { KeyObject } from 'node:crypto';
import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, isScalarType, isUnionType, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { BaseContext } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { readPolicy, type ActiveGrant, type AgencyOf, type CallIdentity, type Org, type ReplayGuard } from '../../auth/index.js';
import { PollingGrantBook, type GrantBookOptions } from './grant-book.js';
import type { SubgraphContext } from './context.js';
import { serveGraphQL, type ListenerTls, type MetricsRegistry, type ReadinessReport, type RunningService } from '../../platform/index.js';
import { ownerAuditResolvers, type OwnerAuditLog, type RecordLookupFn } from './owner-audit.js';
import { ownerExportEndpoint } from './audit-export.js';
import { WitnessBook } from '../../audit/index.js';
import { governedSubgraphPipeline, type SubgraphPipeline } from './pipeline.js';
import type { ResolverMap } from './resolver-map.js';
import { parseReferences } from './references.js';

export interface SubgraphDefinition<TContext extends BaseContext & { identity: CallIdentity }> {
  /** The subgraph's name, which is also the institution (org) that owns its fields. */
  name: Org;
  typeDefs: DocumentNode;
  resolvers: ResolverMap<TContext>;
  /** How records of this subgraph name their agency, for OWN_UNIT row conditions. */
  agencyOf: AgencyOf;
  /** The grants on application this institution approved, read from its store (none: no field of it is applicable). */
  grants?: () => Promise<ActiveGrant[]>;
  /** Finds records by what auditors know of them (recordLookup), through the subgraph's store; none: it finds nothing. */
  recordLookup?: RecordLookupFn;
  /** Builds the per-request context (fresh DataLoaders for every request) for a verified caller, with what serving gives every request. */
  context: (identity: CallIdentity, served: Served) => Promise<TContext>;
}

/** What serving gives every request's context: the server's clock, and the records the gateway read for a write. */
export type Served = Pick<SubgraphContext, 'now' | 'references' | 'refreshGrants' | 'policy'>;

export interface SubgraphServing {
  listen: { host: string; port: number };
  /** HTTPS with this certificate and key (TLS_CERT_FILE, TLS_KEY_FILE); absent: HTTP. */
  tls?: ListenerTls | null;
  /** /metrics on a listener of its own (METRICS_PORT); absent: on the service's port. */
  metricsListen?: { host: string; port: number } | null;
  /** The gateway's public key: every call must carry an assertion it signed. */
  verifyingKey: KeyObject;
  /**
   * Each assertion's jti is spent here, in the subgraph's own database, so that a captured one is
   * accepted once across all its replicas (createReplayGuard); it carries the clock tolerance
   * (CLOCK_TOLERANCE_SECONDS) assertions are verified with.
   */
  replays: ReplayGuard;
  /** An institution's disclosure log: the auditors' fields read it, its writer records each request. The audit subgraph has none. */
  auditLog?: OwnerAuditLog;
  /** The request path (default: governedSubgraphPipeline). */
  pipeline?: SubgraphPipeline;
  /** The subgraph's metrics registry, served at GET /metrics (METRICS_ENABLED); absent: none. */
  metrics?: MetricsRegistry;
  /** Runs after the server has stopped. */
  onStop?: () => Promise<void>;
  /** Closes the database clients without waiting, when the shutdown's grace is nearly over (platform/server.ts). */
  forceStop?: () => Promise<void>;
  /** How long a stop may take (SHUTDOWN_GRACE_SECONDS); default 10 s. */
  shutdownGraceMs?: number;
  /** Its dependencies, for `GET /ready`; none: ready whenever it answers. */
  readiness?: () => Promise<ReadinessReport>;
  /** The server's clock for workflow timestamps and deadlines (default: the system's; a test fixes it). No configuration reaches it. */
  clock?: () => Date;
  /** How often the grants on application are read again (default 2 s); a test shortens it. */
  grantRefresh?: GrantBookOptions;
}

/** Names of resolvers for types or fields the schema does not have. */
export function unknownResolvers(schema: GraphQLSchema, resolvers: ResolverMap<never>): string[] {
  const problems: string[] = [];
  for (const [typeName, fields] of Object.entries(resolvers)) {
    const type = schema.getType(typeName);
    if (!type) {
      problems.push(`resolvers for type ${typeName}, which the schema does not have`);
    } else if (isObjectType(type) || isInterfaceType(type)) {
      const declared = type.getFields();
      for (const field of Object.keys(fields)) {
        if (!field.startsWith('__') && !declared[field]) problems.push(`resolver for ${typeName}.${field}, which the schema does not have`);
      }
    } else if (isEnumType(type)) {
      for (const value of Object.keys(fields)) if (!type.getValue(value)) problems.push(`value ${typeName}.${value}, which the enum does not have`);
    } else if (!isScalarType(type) && !isUnionType(type) && !isInputObjectType(type)) {
      problems.push(`resolvers for ${typeName}, which takes none`);
    }
  }
  return problems;
}

export async function serveSubgraph<TContext extends BaseContext & { identity: CallIdentity }>(
  definition: SubgraphDefinition<TContext>,
  serving: SubgraphServing,
): Promise<RunningService> {
  const auditResolvers = serving.auditLog ? ownerAuditResolvers(serving.auditLog, definition.recordLookup) : {};
  const clash = Object.keys(auditResolvers).filter((type) => type in definition.resolvers);
  if (clash.length) throw new Error(`${definition.name}: its resolvers and the audit log's both define ${clash.join(', ')}`);
  const resolvers = { ...definition.resolvers, ...auditResolvers };
  const clock = serving.clock ?? (() => new Date());
  const book = definition.grants ? new PollingGrantBook(definition.grants, clock, { ...serving.grantRefresh, service: definition.name }) : null;
  await book?.start();
  const schema = buildSubgraphSchema([{ typeDefs: definition.typeDefs, resolvers }]);
  const unknown = unknownResolvers(schema, resolvers as ResolverMap<never>);
  if (unknown.length) throw new Error(`${definition.name}: ${unknown.join('; ')}`);
  // Refuses to start on an unclassified field or a rule naming what does not exist.
  const policy = readPolicy(definition.name, definition.typeDefs, schema, definition.agencyOf);
  const plugins = (serving.pipeline ?? governedSubgraphPipeline)({
    name: definition.name,
    verifyingKey: serving.verifyingKey,
    replays: serving.replays,
    policy,
    agencyOf: definition.agencyOf,
    grants: book,
    disclosureLog: serving.auditLog?.writer ? { writer: serving.auditLog.writer, witnesses: new WitnessBook(serving.auditLog.store, definition.name) } : null,
    metrics: serving.metrics ?? null,
  });

  return serveGraphQL<TContext & SubgraphContext>({
    name: definition.name,
    graph: { schema },
    plugins,
    // Only the gateway reaches a subgraph; it plans from the supergraph and needs no introspection.
    introspection: false,
    context: async (req, res) => {
      // The gateway-assertion plugin is first in every list; without an identity nothing runs.
      if (!res.locals.identity) throw new Error('a subgraph request reached its resolvers without a verified caller');
      // The body's bytes were verified against the assertion's hash before the body was parsed.
      const references = parseReferences((req.body as { extensions?: unknown } | undefined)?.extensions);
      return (await definition.context(res.locals.identity, { now: clock, references, refreshGrants: book ? () => book.refresh() : async () => {}, policy })) as TContext & SubgraphContext;
    },
    listen: serving.listen,
    tls: serving.tls ?? null,
    metricsListen: serving.metricsListen ?? null,
    ...(serving.metrics ? { metrics: serving.metrics } : {}),
    // An institution's section of the auditors' export, from its disclosure log (which records it).
    endpoints: serving.auditLog?.writer ? [ownerExportEndpoint({ ...serving.auditLog, writer: serving.auditLog.writer })] : [],
    onStop: async () => {
      book?.stop();
      await serving.onStop?.();
    },
    ...(serving.forceStop ? { forceStop: serving.forceStop } : {}),
    ...(serving.shutdownGraceMs ? { shutdownGraceMs: serving.shutdownGraceMs } : {}),
    ...(serving.readiness ? { readiness: serving.readiness } : {}),
  });
}
