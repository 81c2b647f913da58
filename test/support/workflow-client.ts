// The graph as the workflow tests call it: through the gateway with a development token for the
// caller and purpose, a fresh idempotency key for each step, and the whole answer back.
import { expect } from 'vitest';
import type { Principal, Purpose } from '../../auth/index.js';
import { callerHeaders } from './stack.js';

export interface GraphAnswer {
  status: number;
  requestId: string | null;
  body: { data?: Record<string, any> | null; errors?: Record<string, unknown>[] };
}

/** `url`: the gateway's (read when called: the stack starts after the file is loaded). `prefix` names the file's keys. */
export function workflowClient(url: () => string, prefix: string) {
  let keys = 0;
  const key = () => `${prefix}-${++keys}-${Date.now()}`;
  async function call(who: Principal, purpose: Purpose, query: string, variables: Record<string, unknown> = {}): Promise<GraphAnswer> {
    const response = await fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await callerHeaders(who, purpose)) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, requestId: response.headers.get('x-request-id'), body: (await response.json()) as GraphAnswer['body'] };
  }
  /** A write that must succeed, with a fresh key (`$key`): its payload. */
  async function step(who: Principal, purpose: Purpose, mutation: string, variables: Record<string, unknown>): Promise<Record<string, any>> {
    const answer = await call(who, purpose, mutation, { key: key(), ...variables });
    expect(answer.body.errors, JSON.stringify(answer.body.errors)).toBeUndefined();
    return Object.values(answer.body.data!)[0] as Record<string, any>;
  }
  return { key, call, step };
}

/** The whole answer to a write its owner (`service`) refused: the field null, one error at it. */
export const refusalBy =
  (service: string) =>
  (field: string, message: string, extensions: Record<string, unknown>) => ({
    data: { [field]: null },
    errors: [{ message, path: [field], extensions: { ...extensions, serviceName: service } }],
  });
