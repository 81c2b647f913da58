import type { BaseContext } from '@apollo/server';
import type { CallIdentity } from '../../auth/index.js';
import type { DisclosureContext } from '../../audit/index.js';

/** What every subgraph's context holds: the verified caller, and the disclosure collector (set by the disclosure-log plugin). */
export type SubgraphContext = BaseContext & { identity: CallIdentity } & DisclosureContext;
