// The query planner can ask a subgraph the same thing twice in one plan (the dispute timeline asks
// the government for one agency's name along two paths, under two fetch names). The gateway's data
// source then calls once and serves the second ask from the first answer — within one request
// only, each consumer its own copy, and without the first answer's extensions (which the plugins
// read from the first call).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subgraphDataSource, type GatewayContext } from '../gateway/index.js';

describe('identical subgraph fetches within one request', () => {
  let server: http.Server;
  let url: string;
  const bodies: unknown[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        bodies.push(JSON.parse(body));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data: { _entities: [{ name: `answer ${bodies.length}` }] }, extensions: { logHead: { log: 'government', seq: bodies.length } } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const context = (): GatewayContext => ({ requestId: 'r', identity: null, subgraphsCalled: new Set(), logHeads: [], signal: new AbortController().signal, startedAt: 0 });
  const ask = (source: ReturnType<typeof subgraphDataSource>, ctx: GatewayContext, name: string, id = 'AG-CAB') =>
    source.process({
      kind: 'incoming operation',
      request: { query: `query ${name}($representations:[_Any!]!){_entities(representations:$representations){...on Agency{name}}}`, variables: { representations: [{ __typename: 'Agency', id }] }, operationName: name },
      context: ctx,
      incomingRequestContext: {},
    } as never);

  it('calls once for two asks that differ only in the fetch name, and answers both', async () => {
    bodies.length = 0;
    const source = subgraphDataSource('government', url, [], 5000);
    const ctx = context();
    const [first, second] = await Promise.all([ask(source, ctx, 'Timeline__government__2'), ask(source, ctx, 'Timeline__government__4')]);
    const third = await ask(source, ctx, 'Timeline__government__9');
    expect(bodies).toHaveLength(1);
    expect(first).toEqual({ data: { _entities: [{ name: 'answer 1' }] }, extensions: { logHead: { log: 'government', seq: 1 } } });
    expect(second).toEqual({ data: { _entities: [{ name: 'answer 1' }] } });
    expect(third).toEqual({ data: { _entities: [{ name: 'answer 1' }] } });
    // Copies: what the gateway does to one answer does not reach the other.
    expect(second).not.toBe(third);
    expect((second as { data: unknown }).data).not.toBe((first as { data: unknown }).data);
  });

  it('calls again for another question, and for the same question in another request', async () => {
    bodies.length = 0;
    const source = subgraphDataSource('government', url, [], 5000);
    const ctx = context();
    await ask(source, ctx, 'Q__government__1', 'AG-CAB');
    await ask(source, ctx, 'Q__government__2', 'AG-NRB');
    await ask(source, context(), 'Q__government__1', 'AG-CAB');
    expect(bodies.map((b) => (b as { variables: { representations: { id: string }[] } }).variables.representations[0]!.id)).toEqual(['AG-CAB', 'AG-NRB', 'AG-CAB']);
  });
});
