// The decision for one field, one caller, one record: null when the field may be disclosed,
// otherwise the reason it is withheld. Pure: the rules (auth/rules.ts) call it for every field.
import { DenialReason } from '../platform/index.js';
import type { CallIdentity } from './assertion.js';
import type { AgencyOf, FieldPolicy, Mask, RowCondition } from './policy.js';
import { PARTICIPANT_ORGS, type Org, type Principal } from './principal.js';

/** How specific a denial is: the most specific reason over all grants is reported. */
const SPECIFICITY = [DenialReason.ORG_NOT_ALLOWED, DenialReason.ROLE_NOT_ALLOWED, DenialReason.PURPOSE_NOT_ALLOWED, DenialReason.NOT_OWN_UNIT, DenialReason.NOT_ISSUER, DenialReason.NOT_INVITED];
const moreSpecific = (a: DenialReason, b: DenialReason) => (SPECIFICITY.indexOf(a) >= SPECIFICITY.indexOf(b) ? a : b);

/**
 * The record a row condition is decided on, and its type (whose reader in `agencyOf` names its
 * agency). A read's is the field's parent; a write's, the record it writes (auth/rules.ts).
 * `IGNORE_ROWS` decides a write's grants before its record is known: every row condition holds.
 */
export interface RowTarget {
  type: string;
  record: unknown;
}
export const IGNORE_ROWS = Symbol('rows decided later');

function rowHolds(row: RowCondition, principal: Principal, target: RowTarget, agencyOf: AgencyOf): boolean {
  switch (row) {
    case 'OWN_UNIT': {
      const agency = agencyOf[target.type]?.(target.record as Record<string, unknown>);
      return Boolean(principal.unit && agency && agency === principal.unit);
    }
    case 'ISSUER':
      return (target.record as { createdBy?: { sub?: unknown } } | null)?.createdBy?.sub === principal.sub;
    case 'INVITED': {
      const invitees = (target.record as { invitees?: unknown } | null)?.invitees;
      return Array.isArray(invitees) && invitees.some((invitee: { sub?: unknown } | null) => invitee?.sub === principal.sub);
    }
  }
}

const ROW_DENIAL: Record<RowCondition, DenialReason> = { OWN_UNIT: DenialReason.NOT_OWN_UNIT, ISSUER: DenialReason.NOT_ISSUER, INVITED: DenialReason.NOT_INVITED };

export function decide(
  policy: FieldPolicy,
  owner: Org,
  identity: CallIdentity,
  record: unknown,
  agencyOf: AgencyOf,
  target: RowTarget | typeof IGNORE_ROWS = { type: policy.type, record },
): DenialReason | null {
  const { principal, purpose } = identity;
  switch (policy.sharing) {
    case 'OPEN':
      if (policy.audience === 'PUBLIC') return null;
      if (!(PARTICIPANT_ORGS as readonly string[]).includes(principal.org)) return DenialReason.ORG_NOT_ALLOWED;
      // Analysts work on statistics only (domain.md): case-level data is for the case roles.
      if (principal.roles.every((role) => role === 'analyst')) return DenialReason.ROLE_NOT_ALLOWED;
      return null;
    case 'OWNER':
      if (principal.org !== owner) return DenialReason.OWNER_ONLY;
      if (policy.ownerRoles && !principal.roles.some((role) => policy.ownerRoles!.includes(role))) return DenialReason.OWNER_ONLY;
      return null;
    case 'CONDITIONAL': {
      let reason = DenialReason.ORG_NOT_ALLOWED;
      for (const grant of policy.grants) {
        if (!grant.orgs.includes(principal.org)) continue;
        if (grant.roles && !principal.roles.some((role) => grant.roles!.includes(role))) {
          reason = moreSpecific(reason, DenialReason.ROLE_NOT_ALLOWED);
          continue;
        }
        if (grant.purposes && !grant.purposes.includes(purpose)) {
          reason = moreSpecific(reason, DenialReason.PURPOSE_NOT_ALLOWED);
          continue;
        }
        if (grant.row && target !== IGNORE_ROWS && !rowHolds(grant.row, principal, target, agencyOf)) {
          reason = moreSpecific(reason, ROW_DENIAL[grant.row]);
          continue;
        }
        return null;
      }
      return reason;
    }
  }
}

/**
 * PII masking for callers outside the owning institution (domain.md):
 * `320102199001011234` → `320102********1234`, `13812345678` → `138****5678`, `张三丰` → `张**`.
 */
export function applyMask(mask: Mask, value: unknown, record: unknown): unknown {
  if (typeof value !== 'string') return value;
  const chars = [...value];
  switch (mask) {
    case 'PERSON_NAME':
      // Only natural persons' names are personal data; an organisation's name is not.
      if ((record as { kind?: unknown } | null)?.kind === 'ORGANIZATION') return value;
      return chars.length <= 1 ? '*' : chars[0] + '*'.repeat(chars.length - 1);
    case 'ID_NUMBER':
      return chars.length <= 10 ? '*'.repeat(chars.length) : chars.slice(0, 6).join('') + '*'.repeat(chars.length - 10) + chars.slice(-4).join('');
    case 'PHONE':
      return chars.length < 8 ? '*'.repeat(chars.length) : chars.slice(0, 3).join('') + '*'.repeat(chars.length - 7) + chars.slice(-4).join('');
  }
}
