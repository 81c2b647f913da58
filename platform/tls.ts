// TLS between the services and for the gateway's clients (README: "TLS"). A service given a
// certificate and its key listens over HTTPS; a service given a CA file trusts only those
// certificates when it calls another (the gateway its subgraphs) — the assertion already binds
// each call to its caller and body; TLS keeps the body, which holds the answer, off the wire.
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';

/** What a service's HTTPS listener is given. */
export interface ListenerTls {
  cert: Buffer;
  key: Buffer;
}

/** How a service calls another over HTTP(S): fetch's signature, with the service's trust. */
export type ServiceFetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

function readPem(setting: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new Error(`configuration: ${setting} ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/**
 * The listener's certificate and key (TLS_CERT_FILE, TLS_KEY_FILE), checked to be PEM and to
 * belong together before the service starts; null: plain HTTP.
 */
export function listenerTls(files: { certFile: string | null; keyFile: string | null }): ListenerTls | null {
  if (!files.certFile || !files.keyFile) return null;
  const tls = { cert: readPem('TLS_CERT_FILE', files.certFile), key: readPem('TLS_KEY_FILE', files.keyFile) };
  try {
    createSecureContext(tls);
  } catch (error) {
    throw new Error(`configuration: TLS_CERT_FILE and TLS_KEY_FILE are not a PEM certificate and its private key (${(error as Error).message})`);
  }
  return tls;
}

/**
 * The fetch a service calls others with: over its own connection pool, trusting the certificates
 * in TLS_CA_FILE (and only those) when it is set, the system's otherwise.
 */
export function serviceFetch(caFile: string | null): ServiceFetch & { close(): Promise<void> } {
  const ca = caFile ? readPem('TLS_CA_FILE', caFile) : null;
  const dispatcher = new Agent(ca ? { connect: { ca } } : {});
  const send: ServiceFetch = (url, init) => undiciFetch(url, { ...(init as object), dispatcher }) as unknown as Promise<Response>;
  // Closes the pool's idle connections (at the service's stop); calls still under way finish first.
  return Object.assign(send, { close: () => dispatcher.close() });
}
