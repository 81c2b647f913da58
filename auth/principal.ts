// Who is asking, and why: the orgs, roles and purposes of domain.md, and the parsing of a caller's
// claims into a Principal. Claims come from a verified token, but are still untyped until here.
export const ROLES_BY_ORG = {
  government: ['reviewer', 'linkage_officer', 'agency_officer', 'analyst', 'inspector', 'data_steward'],
  court: ['judge', 'clerk', 'enforcement_officer', 'analyst', 'data_steward'],
  procuratorate: ['prosecutor', 'analyst', 'data_steward'],
  audit: ['auditor'],
  partner: ['viewer'],
} as const;

export type Org = keyof typeof ROLES_BY_ORG;
export const ORGS = Object.keys(ROLES_BY_ORG) as Org[];
export const ALL_ROLES = [...new Set(Object.values(ROLES_BY_ORG).flat())] as string[];

/** The institutions that own data; the others (audit, partner) only read. */
export const PARTICIPANT_ORGS = ['government', 'court', 'procuratorate'] as const satisfies readonly Org[];

export const PURPOSES = ['CASE_HANDLING', 'DISPUTE_RESOLUTION', 'SUPERVISION', 'STATISTICS', 'AUDIT'] as const;
export type Purpose = (typeof PURPOSES)[number];

export interface Principal {
  sub: string;
  name: string;
  org: Org;
  roles: string[];
  /** The Agency id a government agency officer belongs to. */
  unit: string | null;
}

/**
 * What a caller's `sub` and `name` may not contain: control characters (Cc), format characters
 * (Cf: U+202E right-to-left override, U+200B zero-width space, U+2066 isolates …), line and paragraph
 * separators (Zl, Zp), and lone surrogates (Cs), which no log can store as sent. These names are
 * shown to auditors and written into every log record: one that reads otherwise than it is
 * ("Trojan Source", CVE-2021-42574) or hides a character must be refused, not displayed.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;
/** 1–128 UTF-16 code units (what the logs' schemas count), none of them invisible. */
const isText = (value: unknown): value is string => typeof value === 'string' && value.length >= 1 && value.length <= 128 && !INVISIBLE.test(value);
/** Whether a value could be a principal's `sub` or `name` (what a write that names people must hold them to). */
export const isPrincipalText = isText;
const UNIT = /^[A-Za-z0-9_-]{1,64}$/;

/** Parses claims into a Principal, or returns why they are not one. */
export function parsePrincipal(claims: Record<string, unknown>): Principal | string {
  const { sub, name, org, roles, unit } = claims;
  if (!isText(sub)) return 'sub must be a string of 1-128 characters without control or format characters';
  if (!isText(name)) return 'name must be a string of 1-128 characters without control or format characters';
  if (typeof org !== 'string' || !(ORGS as string[]).includes(org)) return `org must be one of ${ORGS.join(', ')}`;
  const allowed = ROLES_BY_ORG[org as Org] as readonly string[];
  if (!Array.isArray(roles) || roles.length === 0 || roles.length > 10 || !roles.every((r) => typeof r === 'string' && allowed.includes(r))) {
    return `roles must be a non-empty list of ${org} roles: ${allowed.join(', ')}`;
  }
  // An agency id is ASCII letters, digits, "_" and "-": no control or format character gets through.
  if (unit !== undefined && unit !== null && (typeof unit !== 'string' || !UNIT.test(unit))) return 'unit must be an agency id';
  if ((roles as string[]).includes('agency_officer') && typeof unit !== 'string') return 'an agency_officer needs a unit';
  return { sub, name, org: org as Org, roles: [...new Set(roles as string[])], unit: typeof unit === 'string' ? unit : null };
}

export function parsePurpose(value: unknown): Purpose | null {
  return typeof value === 'string' && (PURPOSES as readonly string[]).includes(value) ? (value as Purpose) : null;
}

/** A principal's claims as a log records them: a fresh object with exactly these fields. */
export function principalClaims(principal: Principal): Principal {
  return { sub: principal.sub, name: principal.name, org: principal.org, roles: [...principal.roles], unit: principal.unit };
}
