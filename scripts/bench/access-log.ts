// `npm run bench:log [-- --rounds 10]`: what the access log and the owners' disclosure logs cost on
// the real dispute timeline (W1) at 16 connections. Target: at most 1.15× CPU per request.
import { runView } from './view.js';

await runView({ title: 'access and disclosure logs', leave: ['access-log', 'disclosure-log'], workloads: ['W1'], connections: 16, target: 1.15 });
