// `npm run bench:rules [-- --rounds 10]`: what the owners' sharing rules and masks cost on the
// 500-row list read by a caller who owns neither the cases nor the parties (W4: conditional grants
// and masks apply), one connection. Target: at most 1.25× CPU per request.
import { runView } from './view.js';

await runView({ title: 'sharing rules', leave: ['sharing-rules'], workloads: ['W4'], connections: 1, target: 1.25 });
