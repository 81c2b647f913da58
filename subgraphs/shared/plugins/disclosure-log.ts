import { disclosureLogPlugin, disclosureTracking, type AuditWriter, type DisclosureEntry, type WitnessBook } from '../../../audit/index.js';
import type { ServicePlugin } from '../../../platform/index.js';
import type { SubgraphContext } from '../context.js';

export interface DisclosureLogOptions {
  /** The institution, whose log this is. */
  institution: string;
  /** The writer of this subgraph's chain of its disclosure log, in its own database. */
  writer: AuditWriter<DisclosureEntry>;
  /** The gateway's heads this log recorded (audit/witness.ts). */
  witnesses: WitnessBook;
}

/**
 * The owner's record of what each request disclosed or was refused, field by field, written
 * before the response leaves (fails closed). Placed after the sharing rules in a list, its
 * tracking wraps their resolvers (in place, audit's disclosureTracking), so it records their verdict.
 */
export function useDisclosureLog(options: DisclosureLogOptions): ServicePlugin<SubgraphContext> {
  return {
    name: 'disclosure-log',
    transformSchema: (schema) => disclosureTracking(schema),
    apollo: disclosureLogPlugin(options),
  };
}
