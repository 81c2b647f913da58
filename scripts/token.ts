// `npm run token -- --org court --roles judge [--unit AG-NRB] [--ttl 1h] [--sub id] [--name 姓名]`
// prints a development token signed with the local issuer key (KEYS_DIR). Production tokens come
// from the district's identity provider, whose keys the gateway reads from JWKS_URL.
import { parseArgs } from 'node:util';
import { issueDevToken, parsePrincipal } from '../auth/index.js';
import { ConfigError, loadConfig } from '../config/index.js';

function parseTtl(value: string): number {
  const match = /^(\d{1,6})([smhd]?)$/.exec(value);
  if (!match) throw new Error(`--ttl must look like 90s, 30m, 1h or 7d; got "${value}"`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  const seconds = Number(match[1]) * unit;
  if (seconds < 1 || seconds > 30 * 86400) throw new Error('--ttl must be between 1 second and 30 days');
  return seconds;
}

try {
  const config = loadConfig();
  if (config.mode === 'production') throw new ConfigError('LINKAGE_ENV', 'is production: development tokens are refused there');
  const { values } = parseArgs({
    options: {
      org: { type: 'string' },
      roles: { type: 'string' },
      unit: { type: 'string' },
      ttl: { type: 'string', default: '1h' },
      sub: { type: 'string' },
      name: { type: 'string' },
    },
    strict: true,
  });
  const roles = (values.roles ?? '').split(',').map((r) => r.trim()).filter(Boolean);
  const principal = parsePrincipal({
    sub: values.sub ?? `dev-${values.org ?? 'unknown'}-${roles.join('-') || 'none'}`,
    name: values.name ?? `Development ${values.org ?? ''} ${roles.join(', ')}`.trim(),
    org: values.org,
    roles,
    unit: values.unit,
  });
  if (typeof principal === 'string') throw new Error(principal);
  console.log(await issueDevToken(config.auth, principal, parseTtl(values.ttl ?? '1h')));
} catch (error) {
  console.error(`token: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
