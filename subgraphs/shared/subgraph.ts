// Serves one subgraph: its schema with the sharing rules (and, for an institution, disclosure
// tracking and the auditors' fields over its disclosure log), behind the gateway's assertions.
import type { KeyObject } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { DocumentNode } from 'graphql';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { applyMiddleware } from 'graphql-middleware';
import { ErrorCode, Rejection, serveGraphQL, type RunningService } from '../../platform/index.js';
import { ASSERTION_HEADER, AssertionError, ReplayGuard, enforceSharing, readPolicy, verifyAssertion, type AgencyOf, type CallIdentity, type Org } from '../../auth/index.js';
import { DisclosureCollector, disclosureLogPlugin, disclosureTracking, type DisclosureContext } from '../../audit/index.js';
import { ownerAuditResolvers, type OwnerAuditLog } from './owner-audit.js';
import type { ResolverMap } from './resolver-map.js';

export interface SubgraphDefinition<TContext extends BaseContext & { identity: CallIdentity }> {
  /** The subgraph's name, which is also the institution (org) that owns its fields. */
  name: Org;
  typeDefs: DocumentNode;
  resolvers: ResolverMap<TContext>;
  /** How records of this subgraph name their agency, for OWN_UNIT row conditions. */
  agencyOf: AgencyOf;
  /** Builds the per-request context (fresh DataLoaders for every request) for a verified caller. */
  context: (identity: CallIdentity) => Promise<TContext>;
}

export interface SubgraphSecurity {
  /** The gateway's public key: every call must carry an assertion it signed. */
  verifyingKey: KeyObject;
  /**
   * Whether the sharing rules run. Only the rules-off benchmark passes false; there is no
   * configuration variable for it.
   */
  enforceSharing?: boolean;
  /**
   * An institution's disclosure log: its writer records what each request disclosed (null only in
   * the log-off benchmark), and the auditors' fields read it. The audit subgraph has none.
   */
  auditLog?: OwnerAuditLog;
}

export async function serveSubgraph<TContext extends BaseContext & { identity: CallIdentity }>(
  definition: SubgraphDefinition<TContext>,
  listen: { host: string; port: number },
  security: SubgraphSecurity,
  onStop?: () => Promise<void>,
): Promise<RunningService> {
  const auditResolvers = security.auditLog ? ownerAuditResolvers(security.auditLog) : {};
  const clash = Object.keys(auditResolvers).filter((type) => type in definition.resolvers);
  if (clash.length) throw new Error(`${definition.name}: its resolvers and the audit log's both define ${clash.join(', ')}`);
  const resolvers = { ...definition.resolvers, ...auditResolvers };
  const built = buildSubgraphSchema([{ typeDefs: definition.typeDefs, resolvers: resolvers }]);
  const disclosureLog = security.auditLog?.writer ?? null;
  // Refuses to start on an unclassified field or a rule naming what does not exist.
  const policy = readPolicy(definition.name, definition.typeDefs, built, definition.agencyOf);
  const ruled = security.enforceSharing === false ? built : enforceSharing(built, policy, definition.agencyOf);
  // Disclosure tracking wraps the rules, so it records their verdict field by field.
  const schema = disclosureLog ? applyMiddleware(ruled, disclosureTracking(ruled)) : ruled;
  type Context = TContext & DisclosureContext;

  const replays = new ReplayGuard();
  const requireAssertion: RequestHandler = async (req, res, next) => {
    try {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      res.locals.identity = await verifyAssertion(security.verifyingKey, definition.name, req.get(ASSERTION_HEADER), body, replays);
      next();
    } catch (error) {
      next(error instanceof AssertionError ? new Rejection(401, ErrorCode.UNAUTHENTICATED, 'A valid gateway assertion is required') : error);
    }
  };

  return serveGraphQL<Context>({
    name: definition.name,
    apollo: {
      schema,
      // Traces would tell the gateway (and so a client) about resolver timings; nobody reads them.
      plugins: [
        ApolloServerPluginInlineTraceDisabled(),
        ...(disclosureLog ? [disclosureLogPlugin(disclosureLog) as unknown as ApolloServerPlugin<Context>] : []),
      ],
      // Only the gateway reaches a subgraph; it plans from the supergraph and needs no introspection.
      introspection: false,
      hideSchemaDetailsFromClientErrors: true,
    },
    guards: [requireAssertion],
    context: async (_req, res) => ({
      ...(await definition.context(res.locals.identity as CallIdentity)),
      disclosures: new DisclosureCollector(),
    }),
    listen,
    onStop,
  });
}
