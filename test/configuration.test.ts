// Configuration is parsed once at boot; a bad value stops start-up naming the variable.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadServiceConfig } from '../config/index.js';

describe('configuration', () => {
  it('has working development defaults: the domain ports and the embedded store', () => {
    const config = loadConfig({});
    expect(config.ports).toEqual({ gateway: 4000, government: 4001, court: 4002, procuratorate: 4003, audit: 4004 });
    expect(config.stores).toEqual({
      government: { kind: 'embedded', database: 'linkage_government' },
      court: { kind: 'embedded', database: 'linkage_court' },
      procuratorate: { kind: 'embedded', database: 'linkage_procuratorate' },
    });
    expect(config.subgraphUrls.court).toBe('http://127.0.0.1:4002/graphql');
    expect(config.embeddedStore).toMatchObject({ port: 27018, backend: 'postgresql', postgresBinDir: '/usr/lib/postgresql/15/bin' });
    expect(loadConfig({ EMBEDDED_STORE_BACKEND: 'sqlite' }).embeddedStore.backend).toBe('sqlite');
  });

  it('lets one institution override the shared MongoDB URI', () => {
    const config = loadConfig({ MONGODB_URI: 'mongodb://shared:27017/', COURT_MONGODB_URI: 'mongodb://court-db:27017/' });
    expect(config.stores.court).toEqual({ kind: 'uri', uri: 'mongodb://court-db:27017/', database: 'linkage_court' });
    expect(config.stores.government).toEqual({ kind: 'uri', uri: 'mongodb://shared:27017/', database: 'linkage_government' });
  });

  it.each([
    [{ COURT_PORT: '70000' }, 'configuration: COURT_PORT must be a port number 0-65535, got "70000"'],
    [{ GATEWAY_PORT: 'http' }, 'configuration: GATEWAY_PORT must be a port number 0-65535, got "http"'],
    [{ COURT_URL: 'not a url' }, 'configuration: COURT_URL must be a URL, got "not a url"'],
    [{ GOVERNMENT_URL: 'ftp://x/graphql' }, 'configuration: GOVERNMENT_URL must use http: or https:, got "ftp:"'],
    [{ MONGODB_URI: 'postgres://x' }, 'configuration: MONGODB_URI must be a mongodb:// or mongodb+srv:// connection string'],
    [{ LINKAGE_ENV: 'staging' }, 'configuration: LINKAGE_ENV must be "development" or "production", got "staging"'],
    [{ SEED_SCALE: '0' }, 'configuration: SEED_SCALE must be an integer from 1 to 100, got "0"'],
    [{ PSEUDONYM_KEY: 'short' }, 'configuration: PSEUDONYM_KEY must be at least 16 characters'],
    [{ EMBEDDED_STORE_BACKEND: 'mysql' }, 'configuration: EMBEDDED_STORE_BACKEND must be one of postgresql, sqlite, got "mysql"'],
    [{ DISTRICT_TIME_ZONE: 'Beijing' }, 'configuration: DISTRICT_TIME_ZONE must be an IANA time zone such as Asia/Shanghai, got "Beijing"'],
  ])('refuses %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('keeps the district’s time (DISTRICT_TIME_ZONE), Beijing’s by default', () => {
    expect(loadConfig({}).districtTimeZone).toBe('Asia/Shanghai');
    expect(loadConfig({ DISTRICT_TIME_ZONE: 'Asia/Urumqi' }).districtTimeZone).toBe('Asia/Urumqi');
  });

  it('in production, refuses a subgraph without its database and a gateway without subgraph URLs', () => {
    expect(() => loadServiceConfig('court', { LINKAGE_ENV: 'production', HOST: '0.0.0.0', COURT_PORT: '4002' })).toThrow(
      'configuration: COURT_MONGODB_URI is required for court when LINKAGE_ENV=production',
    );
    expect(() =>
      loadServiceConfig('gateway', { LINKAGE_ENV: 'production', HOST: '0.0.0.0', GATEWAY_PORT: '4000', COURT_URL: 'http://court:4002/graphql' }),
    ).toThrow('configuration: GOVERNMENT_URL is required for gateway when LINKAGE_ENV=production');
  });

  it('fetches the identity provider’s keys only over https: in production (http: in development)', () => {
    const jwks = 'http://idp.district.example/.well-known/jwks.json';
    expect(() => loadConfig({ LINKAGE_ENV: 'production', JWKS_URL: jwks })).toThrow(new ConfigError('JWKS_URL', 'must use https:, got "http:"'));
    expect(loadConfig({ LINKAGE_ENV: 'production', JWKS_URL: jwks.replace('http:', 'https:') }).auth.jwksUrl).toBe('https://idp.district.example/.well-known/jwks.json');
    expect(loadConfig({ JWKS_URL: jwks }).auth.jwksUrl).toBe(jwks);
  });

  it('sends an import to the gateway only over https: in production, unless on this host', () => {
    const remote = 'http://gateway.district.example/graphql';
    expect(() => loadConfig({ LINKAGE_ENV: 'production', GATEWAY_URL: remote })).toThrow(
      new ConfigError('GATEWAY_URL', `must be https: in production (an import sends tokens and ID numbers there), unless on this host; got "${remote}"`),
    );
    expect(loadConfig({ LINKAGE_ENV: 'production', GATEWAY_URL: remote.replace('http:', 'https:') }).gatewayUrl).toBe('https://gateway.district.example/graphql');
    expect(loadConfig({ LINKAGE_ENV: 'production' }).gatewayUrl).toBe('http://127.0.0.1:4000/graphql');
    expect(loadConfig({ GATEWAY_URL: remote }).gatewayUrl).toBe(remote);
    // The scheme in any case is the scheme.
    for (const shouted of ['HTTP://gateway.district.example/graphql', 'Http://gateway.district.example/graphql']) {
      expect(() => loadConfig({ LINKAGE_ENV: 'production', GATEWAY_URL: shouted })).toThrow(
        new ConfigError('GATEWAY_URL', `must be https: in production (an import sends tokens and ID numbers there), unless on this host; got "${shouted}"`),
      );
    }
    for (const local of ['http://localhost:4000/graphql', 'http://[::1]:4000/graphql']) expect(loadConfig({ LINKAGE_ENV: 'production', GATEWAY_URL: local }).gatewayUrl).toBe(local);
  });

  it('bounds the clock tolerance, the token lifetime and the JWKS timeout', () => {
    expect(loadConfig({}).auth).toMatchObject({ clockToleranceSeconds: 5, maxTokenLifetimeSeconds: 43_200, jwksTimeoutMs: 3000 });
    expect(loadConfig({ CLOCK_TOLERANCE_SECONDS: '0', MAX_TOKEN_LIFETIME_SECONDS: '3600', JWKS_TIMEOUT_MS: '500' }).auth).toMatchObject({
      clockToleranceSeconds: 0,
      maxTokenLifetimeSeconds: 3600,
      jwksTimeoutMs: 500,
    });
    for (const [env, message] of [
      [{ CLOCK_TOLERANCE_SECONDS: '61' }, 'configuration: CLOCK_TOLERANCE_SECONDS must be an integer from 0 to 60, got "61"'],
      [{ CLOCK_TOLERANCE_SECONDS: '-1' }, 'configuration: CLOCK_TOLERANCE_SECONDS must be an integer from 0 to 60, got "-1"'],
      [{ MAX_TOKEN_LIFETIME_SECONDS: '0' }, 'configuration: MAX_TOKEN_LIFETIME_SECONDS must be an integer from 60 to 604800, got "0"'],
      [{ MAX_TOKEN_LIFETIME_SECONDS: '12h' }, 'configuration: MAX_TOKEN_LIFETIME_SECONDS must be an integer from 60 to 604800, got "12h"'],
      [{ JWKS_TIMEOUT_MS: '50' }, 'configuration: JWKS_TIMEOUT_MS must be an integer from 100 to 30000, got "50"'],
    ] as const) {
      expect(() => loadConfig(env)).toThrow(message);
    }
  });

  it('takes the log level (LOG_LEVEL) from pino’s levels, info by default', () => {
    expect([loadConfig({}).logLevel, loadConfig({ LOG_LEVEL: 'debug' }).logLevel]).toEqual(['info', 'debug']);
    expect(() => loadConfig({ LOG_LEVEL: 'verbose' })).toThrow(new ConfigError('LOG_LEVEL', 'must be one of trace, debug, info, warn, error, fatal, got "verbose"'));
  });
});
