// The pseudonyms of an import's ID numbers, from the government through the gateway
// (Query.partyPseudonyms), as the person running the import: the court and the procuratorate
// never hold the district key. Each call is checked by the sharing rules and logged, by the
// gateway and in the government's disclosure log.
import type { ServiceFetch } from '../../../platform/index.js';
import { ImportFileError } from './records.js';
import type { Pseudonymizer } from './pipeline.js';

/** The government's limit per call (subgraphs/government/pseudonyms.ts). */
const PER_CALL = 1000;
/** How often a call over the rate limit is sent again, and the longest wait taken. */
const RATE_LIMIT_RETRIES = 5;
const MAX_RETRY_WAIT_SECONDS = 60;
const QUERY = 'query ImportPseudonyms($idNumbers: [String!]!) { partyPseudonyms(idNumbers: $idNumbers) { id } }';

/** `send`: the fetch that trusts the gateway's certificate (platform/tls.ts, TLS_CA_FILE); default: fetch. */
export function remotePseudonymizer(gatewayUrl: string, token: string, timeoutMs = 30_000, send: ServiceFetch = fetch): Pseudonymizer {
  return async (numbers) => {
    const result = new Map<string, string>();
    for (let i = 0; i < numbers.length; i += PER_CALL) {
      const chunk = numbers.slice(i, i + PER_CALL);
      let response: Response;
      // Over the gateway's rate limit: wait as long as it says (Retry-After), a few times, then give up.
      for (let attempt = 1; ; attempt++) {
        try {
          response = await send(gatewayUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': 'CASE_HANDLING' },
            body: JSON.stringify({ query: QUERY, variables: { idNumbers: chunk } }),
            signal: AbortSignal.timeout(timeoutMs),
          });
        } catch (error) {
          throw new ImportFileError(`the gateway (${gatewayUrl}) did not answer the request for pseudonyms (${(error as Error).message}): is the graph running? (npm start)`);
        }
        const wait = Number(response.headers.get('retry-after'));
        if (response.status !== 429 || attempt > RATE_LIMIT_RETRIES || !Number.isFinite(wait) || wait > MAX_RETRY_WAIT_SECONDS) break;
        await response.body?.cancel();
        await new Promise((resolve) => setTimeout(resolve, Math.max(wait, 1) * 1000));
      }
      const body = (await response.json().catch(() => null)) as { data?: { partyPseudonyms?: { id: string }[] | null }; errors?: { message: string; extensions?: { code?: string; reason?: string } }[] } | null;
      const ids = body?.data?.partyPseudonyms;
      if (!ids || ids.length !== chunk.length) {
        const error = body?.errors?.[0];
        const why = error ? `${error.extensions?.code ?? 'ERROR'}${error.extensions?.reason ? ` ${error.extensions.reason}` : ''}: ${error.message}` : `HTTP ${response.status}`;
        throw new ImportFileError(`the government refused the pseudonyms of this file's ID numbers (${why}); nothing more was imported`);
      }
      chunk.forEach((n, j) => result.set(n, (ids[j] as { id: string }).id));
    }
    return result;
  };
}
