// `npm run bench`: every benchmark, on the broker, PostgreSQL and S3 endpoint of with-infra.
// Figures are rates measured in one run; compare them with each other, not across machines.
import { benchValidate } from './validate.ts';
import { printRates } from './measure.ts';

printRates('validate (10,000 events of every type, best of several rounds)', await benchValidate());
