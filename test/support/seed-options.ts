// The demo data every test run stores; tests regenerate it (deterministically) to know what the
// databases hold, so expectations come from the records rather than from constants.
import { loadConfig } from '../../config/index.js';
import { generateDemoData, type DemoData } from '../../subgraphs/index.js';

export const TEST_SEED = { scale: 1, pseudonymKey: loadConfig({}).pseudonymKey as string };

let cached: DemoData | null = null;
export function demoData(): DemoData {
  cached ??= generateDemoData(TEST_SEED);
  return cached;
}
