// Builds an expected GraphQL response field by field: a disclosed field carries its value, a
// withheld one is null with the FORBIDDEN error the owner gives, at the field's path.
import type { DenialReason } from '../../platform/index.js';

export interface ExpectedError {
  message: string;
  path: (string | number)[];
  extensions: { code: 'FORBIDDEN'; reason: DenialReason; serviceName: string };
}

export class ResponseBuilder {
  readonly errors: ExpectedError[] = [];

  /** `decision` is 'ok' (disclose `value()`) or the reason the owner withholds the field. */
  field<T>(path: (string | number)[], owner: string, decision: 'ok' | DenialReason, value: () => T): T | null {
    if (decision === 'ok') return value();
    this.errors.push({
      message: `Not shared with you: ${decision}`,
      path,
      extensions: { code: 'FORBIDDEN', reason: decision, serviceName: owner },
    });
    return null;
  }

  /** Errors in a stable order, for comparison with a response whose error order is not defined. */
  sortedErrors(): ExpectedError[] {
    return sortErrors(this.errors);
  }
}

export function sortErrors<T extends { path?: readonly (string | number)[] }>(errors: T[]): T[] {
  return [...errors].sort((a, b) => JSON.stringify(a.path).localeCompare(JSON.stringify(b.path)));
}

/** The masks of domain.md, written out independently of auth/decide.ts. */
export const masked = {
  name: (name: string, kind: string) => (kind === 'PERSON' ? [...name][0] + '*'.repeat([...name].length - 1) : name),
  idNumber: (id: string) => `${id.slice(0, 6)}${'*'.repeat(id.length - 10)}${id.slice(-4)}`,
  phone: (phone: string) => `${phone.slice(0, 3)}****${phone.slice(-4)}`,
};
