// Grants on application (共享申请): approved by an owner's data steward for one applicant org's
// roles (or named principals), one purpose, some fields of one type, a scope of records and a term.
// The owner's rules consult them beside the SDL's static grants (auth/rules.ts), synchronously,
// from a book its subgraph keeps current (subgraphs/shared/grant-book.ts). Pure.
import { DenialReason } from '../platform/index.js';
import type { CallIdentity } from './assertion.js';
import type { AgencyOf } from './policy.js';
import type { Org, Purpose } from './principal.js';

export type GrantScope = { kind: 'ALL' } | { kind: 'AGENCY'; agencyId: string } | { kind: 'RECORDS'; recordIds: string[] };

export interface ActiveGrant {
  id: string;
  type: string;
  fields: string[];
  purpose: Purpose;
  org: Org;
  /** Null: any role of the org (narrowed by `principals` when given). */
  roles: string[] | null;
  /** Null: anyone of those roles. */
  principals: string[] | null;
  scope: GrantScope;
  from: Date;
  until: Date;
  revoked: boolean;
}

/** The grants an owner knows of, as of its last refresh; `null` when that is too old to trust (deny). */
export interface GrantBook {
  grantsOn(type: string, field: string): readonly ActiveGrant[] | null;
  now(): Date;
}

/** How long after its term an expired grant is still named as the reason (30 days). */
const EXPIRED_NAMED_MS = 30 * 86_400_000;

/** The grant under which a field was disclosed, or why the grants that concern the caller do not hold. */
export type GrantVerdict = { grant: string } | { reason: DenialReason };

function inScope(scope: GrantScope, type: string, record: unknown, agencyOf: AgencyOf): boolean {
  switch (scope.kind) {
    case 'ALL':
      return true;
    case 'AGENCY':
      return agencyOf[type]?.(record as Record<string, unknown>) === scope.agencyId;
    case 'RECORDS': {
      const id = (record as { id?: unknown } | null)?.id;
      return typeof id === 'string' && scope.recordIds.includes(id);
    }
  }
}

/**
 * Whether an approved grant lets `identity` see `field` of this record: null when no grant
 * concerns the caller at all (the static rule's reason stands). Of the grants that do (the
 * caller's org, role or name, and purpose), one in force whose scope holds the record discloses;
 * otherwise the most telling reason: out of scope, then expired, then revoked.
 */
export function decideGranted(book: GrantBook, type: string, field: string, identity: CallIdentity, record: unknown, agencyOf: AgencyOf): GrantVerdict | null {
  const grants = book.grantsOn(type, field);
  if (!grants) return null;
  const { principal, purpose } = identity;
  const now = book.now().getTime();
  let reason: DenialReason | null = null;
  const note = (r: DenialReason) => {
    const order = [DenialReason.GRANT_REVOKED, DenialReason.GRANT_EXPIRED, DenialReason.NOT_IN_GRANT_SCOPE];
    if (reason === null || order.indexOf(r) > order.indexOf(reason)) reason = r;
  };
  for (const grant of grants) {
    if (grant.org !== principal.org || grant.purpose !== purpose) continue;
    if (grant.roles && !principal.roles.some((role) => grant.roles!.includes(role))) continue;
    if (grant.principals && !grant.principals.includes(principal.sub)) continue;
    if (now < grant.from.getTime()) continue;
    // A revoked grant is named while its term would have run, an expired one for a while after:
    // long enough for its holder to learn why; then it concerns nobody (the static rule speaks).
    if (grant.revoked) {
      if (now < grant.until.getTime()) note(DenialReason.GRANT_REVOKED);
    } else if (now >= grant.until.getTime()) {
      if (now < grant.until.getTime() + EXPIRED_NAMED_MS) note(DenialReason.GRANT_EXPIRED);
    } else if (!inScope(grant.scope, type, record, agencyOf)) {
      note(DenialReason.NOT_IN_GRANT_SCOPE);
    } else {
      return { grant: grant.id };
    }
  }
  return reason === null ? null : { reason };
}
