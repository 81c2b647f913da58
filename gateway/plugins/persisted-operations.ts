// Persisted operations: a registered manifest of operations (the JSON Apollo's persisted-query
// tooling and GraphOS emit: `{"format":"apollo-persisted-query-manifest","version":1,"operations":
// [{"id","name","type","body"}]}`), sent by id as Apollo Client's persisted-query link does
// (`extensions.persistedQuery.sha256Hash`). A safelisted org (the partner frontends by default)
// may run only those; an unknown id is PERSISTED_QUERY_NOT_FOUND, a body from a safelisted org
// PERSISTED_QUERY_REQUIRED. The manifest loads at start and again whenever its file changes (a bad
// new file is refused and the last good one kept). Apollo Server looks ids up in the manifest as
// its persisted-query cache, which never learns an operation from a client.
import { createHash } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { GraphQLError } from 'graphql';
import { z } from 'zod';
import type { Org } from '../../auth/index.js';
import { ErrorCode, logError, persistedOperationId, serviceLog } from '../../platform/index.js';
import type { GatewayPlugin } from '../plugin.js';

const manifestSchema = z.object({
  format: z.literal('apollo-persisted-query-manifest'),
  version: z.literal(1),
  operations: z
    .array(
      z
        .object({
          id: z.string().regex(/^[0-9a-f]{64}$/, 'an id is the SHA-256 of the body, in hex'),
          name: z.string().min(1).max(200),
          type: z.enum(['query', 'mutation', 'subscription']),
          body: z.string().min(1).max(100_000),
        })
        .strict(),
    )
    .max(10_000),
});

/** Reads and checks a manifest: every id must be the SHA-256 of its body, as the tooling writes it. */
export function readManifest(file: string): Map<string, string> {
  const parsed = manifestSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const operations = new Map<string, string>();
  for (const operation of parsed.operations) {
    if (createHash('sha256').update(operation.body).digest('hex') !== operation.id) throw new Error(`operation ${operation.name}: its id is not the SHA-256 of its body`);
    operations.set(operation.id, operation.body);
  }
  return operations;
}

/** The registered operations, kept up to date with their file. */
export class OperationManifest {
  private operations: Map<string, string>;
  private readonly watcher: FSWatcher;

  constructor(private readonly file: string) {
    this.operations = readManifest(file);
    this.watcher = watch(file, () => this.reload());
    this.watcher.unref();
  }

  get size(): number {
    return this.operations.size;
  }

  has(id: string): boolean {
    return this.operations.has(id);
  }

  /** Apollo Server's persisted-query cache: it asks for `apq:<id>`; it may never add to the manifest. */
  readonly cache = {
    get: async (key: string) => this.operations.get(key.replace(/^apq:/, '')),
    set: async () => {},
    delete: async () => {},
  };

  reload(): void {
    try {
      this.operations = readManifest(this.file);
    } catch (error) {
      logError(serviceLog('gateway'), 'persisted operations: the manifest was not reloaded, the last good one stays', error, { file: this.file }, 'warn');
    }
  }

  close(): void {
    this.watcher.close();
  }
}

export interface PersistedOperationsOptions {
  manifest: OperationManifest;
  /** Orgs that may run registered operations only. */
  safelisted: readonly Org[];
}

export function usePersistedOperations(options: PersistedOperationsOptions): GatewayPlugin {
  const safelisted = new Set<string>(options.safelisted);
  return {
    name: 'persisted-operations',
    apollo: {
      async requestDidStart() {
        return {
          async didResolveOperation({ contextValue, request }) {
            const org = contextValue.identity?.principal.org;
            const id = persistedOperationId(request.extensions);
            if (org !== undefined && safelisted.has(org) && (id === null || !options.manifest.has(id))) {
              throw new GraphQLError(`Callers of ${org} run registered operations only: send the operation's id (extensions.persistedQuery.sha256Hash), not its text`, {
                extensions: { code: ErrorCode.PERSISTED_QUERY_REQUIRED, http: { status: 400 } },
              });
            }
          },
        };
      },
    },
  };
}
