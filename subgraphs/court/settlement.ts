// Pre-enforcement settlement (执前和解): the court's enforcement officers record each attempt of the
// settlement centre on a pending enforcement case and how it ended; a settlement closes the case.
// The agency involved reads the attempts (EnforcementCase.settlementAttempts). One step through
// subgraphs/shared/workflow.ts: rule, retry, version, state, one atomic write.
import { badUserInput, parseId, withId } from '../../platform/index.js';
import { districtDate, mutationResolvers, parseIdempotencyKey, parseText, parseVersion, transitionRecord, type WorkflowContext } from '../shared/index.js';
import type { CourtContext } from './context.js';
import type { EnforcementCaseDoc } from './store.js';

type Args = Record<string, unknown>;
const RESULTS = ['SETTLED', 'NOT_SETTLED'];

export const settlementWrites = mutationResolvers<CourtContext>({
  recordSettlementAttempt: async (_: unknown, args: Args, context: CourtContext & WorkflowContext) => {
    const id = parseId(args.id);
    const idempotencyKey = parseIdempotencyKey(args.idempotencyKey);
    const expectedVersion = parseVersion(args.expectedVersion);
    const input = (args.input ?? {}) as Args;
    if (typeof input.result !== 'string' || !RESULTS.includes(input.result)) throw badUserInput('input.result must be SETTLED or NOT_SETTLED', 'input.result');
    const settled = input.result === 'SETTLED';
    const note = parseText(input.note, 'input.note', 2, 1000);
    const doc = await transitionRecord<EnforcementCaseDoc>(context, {
      type: 'EnforcementCase',
      id,
      expectedVersion,
      step: { action: 'RECORD_SETTLEMENT_ATTEMPT', idempotencyKey, input: { result: input.result, note } },
      from: ['PENDING'],
      to: settled ? 'CLOSED' : 'PENDING',
      describe: `EnforcementCase ${id}`,
      changes: (current) => ({
        settlementAttempts: [...current.settlementAttempts, { at: context.now(), by: context.identity.principal.name, result: input.result as string, note }],
        preSettlement: { attempted: true, succeeded: current.preSettlement.succeeded || settled },
        ...(settled ? { status: 'CLOSED', closedAt: districtDate(context.now()) } : {}),
      }),
      load: context.store.enforcementCase,
      update: context.store.updateEnforcementCase,
    });
    return withId(doc);
  },
});
