// Partner frontends run in browsers on their own origins: the gateway answers CORS for the
// configured origins only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/index.js';
import type { RunningGateway } from '../gateway/index.js';
import { callerHeaders, principal, startTestGateway, startTestStack, testConfig, type TestStack } from './support/stack.js';

describe('CORS for partner frontends', () => {
  let stack: TestStack;
  let gateway: RunningGateway;
  const portal = 'https://portal.district.example';

  beforeAll(async () => {
    stack = await startTestStack({});
    const config = loadConfig({ KEYS_DIR: testConfig().auth.keysDir, CORS_ORIGINS: `${portal}, https://bulletin.district.example` });
    gateway = await startTestGateway(stack.subgraphs, config);
  });
  afterAll(async () => {
    await gateway?.stop();
    await stack?.stop();
  });

  const preflight = (origin: string) =>
    fetch(gateway.url, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, x-purpose' },
    });

  it('allows a configured origin, with the headers a caller needs', async () => {
    const response = await preflight(portal);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(portal);
    expect(response.headers.get('access-control-allow-headers')).toBe('authorization,content-type,x-purpose');
    expect(response.headers.get('access-control-allow-methods')).toBe('POST');
    const post = await fetch(gateway.url, {
      method: 'POST',
      headers: { origin: portal, 'content-type': 'application/json', ...(await callerHeaders(principal('partner', ['viewer']), 'STATISTICS')) },
      body: JSON.stringify({ query: '{ district { id } }' }),
    });
    expect(post.status).toBe(200);
    expect(post.headers.get('access-control-allow-origin')).toBe(portal);
    expect(post.headers.get('access-control-expose-headers')).toBe('x-request-id');
  });

  it('gives any other origin no CORS grant', async () => {
    const response = await preflight('https://evil.example');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses an origin with a path in the configuration', () => {
    expect(() => loadConfig({ CORS_ORIGINS: 'https://portal.example/app' })).toThrow(ConfigError);
    expect(() => loadConfig({ CORS_ORIGINS: 'https://portal.example/app' })).toThrow(
      'configuration: CORS_ORIGINS must list origins (scheme, host, port; no path), got "https://portal.example/app"',
    );
  });
});
