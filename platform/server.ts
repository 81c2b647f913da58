// Runs a GraphQL service over HTTP: Apollo Server on express, `POST /graphql` behind the service's
// guards, plus `/health`, with the HTTP server drained on stop. Used by each subgraph and by the
// gateway.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { ApolloServer, type ApolloServerOptions, type BaseContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { ErrorCode, maskError } from './errors.js';

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
