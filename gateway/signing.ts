// Every subgraph call carries the gateway's assertion over the exact bytes of its body. The data
// source's `willSendRequest` hands the caller's identity to the fetcher in an internal header; the
// fetcher, which alone sees the final body, replaces it with the signed assertion.
import type { KeyObject } from 'node:crypto';
import { RemoteGraphQLDataSource } from '@apollo/gateway';
import { ASSERTION_HEADER, signAssertion, type CallIdentity } from '../auth/index.js';
import type { GatewayContext } from './context.js';

const IDENTITY_HEADER = 'x-linkage-internal-identity';


export function signingDataSource(subgraph: string, url: string, key: KeyObject): RemoteGraphQLDataSource<GatewayContext> {
  return new RemoteGraphQLDataSource<GatewayContext>({
    url,
    willSendRequest({ request, context }) {
      // Deny by default: a call without a caller (there is none today) is never sent unsigned.
      if (!context.identity) throw new Error('refusing to call a subgraph without a caller identity');
      context.subgraphsCalled.add(subgraph);
      // base64url: names are Chinese, and HTTP header values must be plain ASCII.
      request.http!.headers.set(IDENTITY_HEADER, Buffer.from(JSON.stringify(context.identity), 'utf8').toString('base64url'));
    },
    fetcher: (async (input: string, init: { headers: Record<string, string>; body: string; method: string }) => {
      const { [IDENTITY_HEADER]: identity, ...headers } = init.headers;
      if (!identity) throw new Error('refusing to call a subgraph without a caller identity');
      const caller = JSON.parse(Buffer.from(identity, 'base64url').toString('utf8')) as CallIdentity;
      const assertion = await signAssertion(key, subgraph, caller, init.body);
      return fetch(input, { method: init.method, body: init.body, headers: { ...headers, [ASSERTION_HEADER]: assertion } });
    }) as unknown as RemoteGraphQLDataSource['fetcher'],
  });
}
