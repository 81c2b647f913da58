import { definePolicySuite } from './support/policy-suite.js';

definePolicySuite('procuratorate');
