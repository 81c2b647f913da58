// Identity and access control: callers' tokens, the gateway's assertions to subgraphs, and the
// sharing policy each subgraph enforces on its own fields.
export { ORGS, PURPOSES, ROLES_BY_ORG, PARTICIPANT_ORGS, isPrincipalText, parsePrincipal, parsePurpose, principalClaims, type Org, type Principal, type Purpose } from './principal.js';
export { createTokenVerifier, issueDevToken, InvalidTokenError, IdentityProviderUnavailableError, type TokenVerifier } from './tokens.js';
export { ASSERTION_HEADER, SPENT_ASSERTIONS, ReplayGuard, createReplayGuard, AssertionError, ReplayCheckUnavailableError, signAssertion, verifyAssertion, bodyHash, type CallIdentity } from './assertion.js';
export { assertionSigningKey, assertionVerifyingKey, auditSigningKey, loadOrCreateKeyPair, readPrivateKey, readPublicKey, readPseudonymKey } from './keys.js';
export { renderCatalogue, renderCatalogueJson, sharingSummary, type CatalogueEntry } from './catalogue.js';
export { readPolicy, PolicyError, FEDERATION_FIELDS, WRITE_PURPOSES, type AgencyOf, type Applicable, type FieldPolicy, type SubgraphPolicy } from './policy.js';
export { enforceSharing, checkRuleTree, type SharingContext, type WriteGuard } from './rules.js';
export { decide, applyMask, IGNORE_ROWS } from './decide.js';
// The typed res.locals (a declaration only).
export type {} from './request-locals.js';
export { decideGranted, type ActiveGrant, type GrantBook, type GrantScope, type GrantVerdict } from './grants.js';
