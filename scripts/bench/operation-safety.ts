// `npm run bench:safety [-- --rounds 10]`: what the operation-safety checks cost (issue #9: depth and
// aliases, argument checks, the cost estimate, the rate limiter) on the real dispute timeline (W1)
// and the 500-row list (W4), one connection. Target: at most 3% added CPU per request.
import { OPERATION_SAFETY } from './harness.js';
import { runView } from './view.js';

await runView({ title: 'operation-safety checks', leave: OPERATION_SAFETY, workloads: ['W1', 'W4'], connections: 1, target: 1.03 });
