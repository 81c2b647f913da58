// Runs a GraphQL service over HTTP: Apollo Server on express, `POST /graphql` behind the service's
// guards, plus `/health`, with the HTTP server drained on stop. Used by each subgraph and by the
// gateway.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KeyObject } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { DocumentNode } from 'graphql';
import { ApolloServer, type ApolloServerOptions, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { applyMiddleware } from 'graphql-middleware';
import { DisclosureCollector, disclosureTracking, type AuditWriter, type DisclosureContext, type DisclosureEntry } from '../../audit/index.js';
import { ownerAuditResolvers, type OwnerAuditLog } from '../../audit/graph.js';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import {
  ASSERTION_HEADER,
  AUDIT_UNAVAILABLE_ERROR,
  AssertionError,
  ErrorCode,
  ReplayGuard,
  enforceSharing,
  maskError,
  principalClaims,
  readPolicy,
  verifyAssertion,
  type AgencyOf,
  type CallIdentity,
  type Org,
} from '../../auth/index.js';

export interface RunningService {
  name: string;
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Writes a GraphQL-shaped error response with a deliberate code. */
export function sendError(res: Response, status: number, code: ErrorCode, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/** A request refused before GraphQL execution; guards pass it to `next` and the service answers it. */
export class Rejection extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'Rejection';
  }
}

/** Answers a rejection (or any other error, masked) once the request's handlers have given up. */
export type RejectionHandler = (error: unknown, req: Request, res: Response) => Promise<void> | void;

const answerRejection: RejectionHandler = (error, _req, res) => {
  if (error instanceof Rejection) return sendError(res, error.status, error.code, error.message);
  console.error('[http]', error);
  sendError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
};

export interface ServeOptions<TContext extends BaseContext> {
  name: string;
  /** Apollo Server options; the drain plugin and error masking are added here. */
  apollo: ApolloServerOptions<TContext>;
  /** Run in order before Apollo, with `req.body` still the raw bytes; they may answer instead. */
  guards: RequestHandler[];
  /** Builds the per-request context; guards leave what they learned in `res.locals`. */
  context: (req: Request, res: Response) => Promise<TContext>;
  listen: { host: string; port: number };
  /** Runs after the server has stopped (closing database clients and the like). */
  onStop?: () => Promise<void>;
  /** Answers rejections (default: the rejection's status and code). */
  onRejection?: RejectionHandler;
  /** Mounts any other routes (the gateway's auditors' page). */
  routes?: (app: express.Express) => void;
}

/**
 * Parses the raw body the guards saw into the JSON Apollo expects: one operation, with a query.
 * (No batches, no persisted-query hashes: every operation is seen, checked and logged whole.)
 */
const parseJsonBody: RequestHandler = (req, _res, next) => {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '');
  } catch {
    return next(new Rejection(400, ErrorCode.BAD_REQUEST, 'The request body must be JSON'));
  }
  const request = body as { query?: unknown; operationName?: unknown; variables?: unknown } | null;
  const valid =
    request !== null &&
    typeof request === 'object' &&
    !Array.isArray(request) &&
    typeof request.query === 'string' &&
    (request.operationName === undefined || request.operationName === null || typeof request.operationName === 'string') &&
    (request.variables === undefined || request.variables === null || (typeof request.variables === 'object' && !Array.isArray(request.variables)));
  if (!valid) return next(new Rejection(400, ErrorCode.BAD_REQUEST, 'The body must be one GraphQL request: {"query": string, "operationName"?, "variables"?}'));
  req.body = body;
  next();
};

export async function serveGraphQL<TContext extends BaseContext>(options: ServeOptions<TContext>): Promise<RunningService> {
  const app = express();
  const httpServer = http.createServer(app);
  const server = new ApolloServer<TContext>({
    ...options.apollo,
    plugins: [...(options.apollo.plugins ?? []), ApolloServerPluginDrainHttpServer({ httpServer })],
    formatError: maskError((error) => console.error(`[${options.name}]`, error)),
    includeStacktraceInErrorResponses: false,
    // Every operation arrives whole (no persisted-query hashes), so it is checked and logged whole.
    persistedQueries: false,
    // Apollo would stop itself and re-raise the signal, killing the process before the caller's
    // own shutdown (database clients, the embedded store) has run; scripts/start.ts handles signals.
    stopOnTerminationSignals: false,
  } as ApolloServerOptions<TContext>);
  await server.start();

  app.disable('x-powered-by');
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: options.name });
  });
  options.routes?.(app);
  app.post(
    '/graphql',
    express.raw({ type: () => true, limit: '1mb' }),
    ...options.guards,
    parseJsonBody,
    expressMiddleware(server, { context: ({ req, res }) => options.context(req, res) }),
  );
  app.all('/graphql', (_req, _res, next) => next(new Rejection(405, ErrorCode.BAD_REQUEST, 'Use POST for /graphql')));
  const onRejection = options.onRejection ?? answerRejection;
  app.use('/graphql', (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    // express.raw's own errors (body too large, bad encoding) carry an HTTP status.
    const status = (error as { status?: unknown }).status;
    const rejection =
      error instanceof Rejection || typeof status !== 'number' || status >= 500
        ? error
        : new Rejection(status, ErrorCode.BAD_REQUEST, status === 413 ? 'The request body is too large' : 'The request body could not be read');
    void Promise.resolve(onRejection(rejection, req, res)).catch((e) => answerRejection(e, req, res));
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.listen.port, options.listen.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = ['0.0.0.0', '::'].includes(options.listen.host) ? '127.0.0.1' : options.listen.host;
  return {
    name: options.name,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/graphql`,
    port,
    stop: async () => {
      await server.stop();
      await options.onStop?.();
    },
  };
}

export interface SubgraphDefinition<TContext extends BaseContext & { identity: CallIdentity }> {
  /** The subgraph's name, which is also the institution (org) that owns its fields. */
  name: Org;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<TContext>;
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

/** Holds each response until the owner's disclosure record is durable; fails closed otherwise. */
function disclosureLogPlugin(writer: AuditWriter<DisclosureEntry>): ApolloServerPlugin<DisclosureContext & { identity: CallIdentity }> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (!contextValue?.disclosures || contextValue.disclosures.size === 0) return;
          const { principal, purpose, requestId } = contextValue.identity;
          try {
            await writer.append({
              requestId,
              principal: principalClaims(principal),
              purpose,
              records: contextValue.disclosures.records(),
            });
          } catch {
            // The gateway sees the code and fails the whole request: nothing is disclosed.
            response.body = {
              kind: 'single',
              singleResult: { data: null, errors: [AUDIT_UNAVAILABLE_ERROR] },
            };
          }
        },
      };
    },
  };
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
  const built = buildSubgraphSchema([{ typeDefs: definition.typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> }]);
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
