// Each file's services run in the test process (isolate: false): their request lines would bury
// the run's output. Warnings and errors still show; a test that reads the log sets its own level
// (test/structured-logs.test.ts) and puts this back.
import { configureLogs } from '../../platform/index.js';

configureLogs({ level: 'warn' });
