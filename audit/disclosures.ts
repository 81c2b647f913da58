// Disclosures, written by each owner (as X-Road logs on both sides): under the gateway's request
// id, which of its records (type and id) a subgraph disclosed, field by field, and which fields it
// refused and why. "Who saw AdminCase X" is then answered by the institution that owns X, from its
// own database.
import { GraphQLError, isObjectType, type GraphQLSchema } from 'graphql';
import type { IMiddlewareFunction } from 'graphql-middleware';
import { z } from 'zod';
import type { ApolloServerPlugin } from '@apollo/server';
import { AUDIT_UNAVAILABLE_ERROR } from '../platform/index.js';
import { principalClaims, type CallIdentity, type Principal } from '../auth/index.js';
import type { AuditWriter } from './writer.js';

export interface DisclosedRecord {
  /** `Type:id`, one indexed field to find a record's history by. */
  key: string;
  type: string;
  id: string;
  disclosed: string[];
  refused: { field: string; reason: string }[];
}

export interface DisclosureEntry {
  requestId: string;
  principal: Pick<Principal, 'sub' | 'name' | 'org' | 'roles' | 'unit'>;
  purpose: string;
  records: DisclosedRecord[];
}

const text = (max: number) => z.string().max(max);

/** What an owner's disclosure record must be before it may join a batch. */
export const disclosureEntrySchema = z
  .object({
    requestId: z.string().min(1).max(64),
    principal: z.object({ sub: text(128), name: text(128), org: text(32), roles: z.array(text(64)).max(10), unit: text(64).nullable() }).strict(),
    purpose: text(64),
    records: z.array(
      z
        .object({
          key: text(200),
          type: text(64),
          id: text(64),
          disclosed: z.array(text(64)),
          refused: z.array(z.object({ field: text(64), reason: text(64) }).strict()),
        })
        .strict(),
    ),
  })
  .strict();

/** Gathers one request's disclosures as its fields resolve. */
export class DisclosureCollector {
  private readonly byKey = new Map<string, { type: string; id: string; disclosed: Set<string>; refused: Map<string, string> }>();

  private record(type: string, id: string) {
    const key = `${type}:${id}`;
    let record = this.byKey.get(key);
    if (!record) {
      record = { type, id, disclosed: new Set(), refused: new Map() };
      this.byKey.set(key, record);
    }
    return record;
  }

  disclosed(type: string, id: string, field: string): void {
    this.record(type, id).disclosed.add(field);
  }

  refused(type: string, id: string, field: string, reason: string): void {
    this.record(type, id).refused.set(field, reason);
  }

  get size(): number {
    return this.byKey.size;
  }

  records(): DisclosedRecord[] {
    return [...this.byKey.entries()].map(([key, r]) => ({
      key,
      type: r.type,
      id: r.id,
      disclosed: [...r.disclosed].sort(),
      refused: [...r.refused.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([field, reason]) => ({ field, reason })),
    }));
  }
}

export interface DisclosureContext {
  disclosures: DisclosureCollector;
}

function forbiddenReason(value: unknown): string | null {
  return value instanceof GraphQLError && value.extensions?.code === 'FORBIDDEN' ? String(value.extensions.reason) : null;
}

/**
 * A graphql-middleware that records, for every field of every record type (an object type with an
 * `id`), whether it was disclosed or refused. Applied outside the sharing rules, so it sees their
 * verdict.
 */
export function disclosureTracking(schema: GraphQLSchema): Record<string, Record<string, IMiddlewareFunction>> {
  const tracked: Record<string, Record<string, IMiddlewareFunction>> = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('_') || !type.getFields().id) continue;
    const track: IMiddlewareFunction = async (resolve, parent, args, context: DisclosureContext, info) => {
      const id = (parent as { id?: unknown } | null)?.id;
      const note = (value: unknown) => {
        if (typeof id !== 'string') return;
        const reason = forbiddenReason(value);
        if (reason) context.disclosures.refused(info.parentType.name, id, info.fieldName, reason);
        else if (!(value instanceof Error)) context.disclosures.disclosed(info.parentType.name, id, info.fieldName);
      };
      try {
        const value = await resolve(parent, args, context, info);
        note(value);
        return value;
      } catch (error) {
        note(error);
        throw error;
      }
    };
    tracked[type.name] = Object.fromEntries(Object.keys(type.getFields()).map((field) => [field, track]));
  }
  return tracked;
}

/** Gives each request a collector, and holds its response until the owner's disclosure record is durable; fails closed otherwise. */
export function disclosureLogPlugin(writer: AuditWriter<DisclosureEntry>): ApolloServerPlugin<DisclosureContext & { identity: CallIdentity }> {
  return {
    async requestDidStart({ contextValue }) {
      // Each request's own collector, which disclosureTracking fills as fields resolve.
      contextValue.disclosures = new DisclosureCollector();
      return {
        async willSendResponse({ response, contextValue }) {
          if (contextValue.disclosures.size === 0) return;
          const { principal, purpose, requestId } = contextValue.identity;
          try {
            await writer.append({
              requestId,
              principal: principalClaims(principal),
              purpose,
              records: contextValue.disclosures.records(),
            });
          } catch (error) {
            console.error(`[disclosure log] request ${requestId}: the disclosure log could not be written; the request failed with AUDIT_UNAVAILABLE:`, error);
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

