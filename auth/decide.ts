// The decision for one field, one caller, one record: null when the field may be disclosed,
// otherwise the reason it is withheld. Pure: the rules (auth/rules.ts) call it for every field.
import { DenialReason } from '../platform/index.js';
import type { CallIdentity } from './assertion.js';
import type { AgencyOf, FieldPolicy, Mask } from './policy.js';
import { PARTICIPANT_ORGS, type Org } from './principal.js';

/** How specific a denial is: the most specific reason over all grants is reported. */
const SPECIFICITY = [DenialReason.ORG_NOT_ALLOWED, DenialReason.ROLE_NOT_ALLOWED, DenialReason.PURPOSE_NOT_ALLOWED, DenialReason.NOT_OWN_UNIT];
const moreSpecific = (a: DenialReason, b: DenialReason) => (SPECIFICITY.indexOf(a) >= SPECIFICITY.indexOf(b) ? a : b);

export function decide(
  policy: FieldPolicy,
  owner: Org,
  identity: CallIdentity,
  record: unknown,
  agencyOf: AgencyOf,
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
        if (grant.row === 'OWN_UNIT') {
          const agency = agencyOf[policy.type]?.(record as Record<string, unknown>);
          if (!principal.unit || !agency || agency !== principal.unit) {
            reason = moreSpecific(reason, DenialReason.NOT_OWN_UNIT);
            continue;
          }
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
