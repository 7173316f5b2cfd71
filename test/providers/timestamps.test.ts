/** Signature timestamps are whole epoch seconds, digits only (issue 12, class 8). */
import { checkTimestamp } from '../../lambdas/providers/common';
import { UnauthorizedError } from '../../lambdas/shared/errors';

const now = new Date(1_700_000_000_000);

it.each(['1700000000', '1699999990', '1700000010'])('accepts %j', (timestamp) => {
  expect(() => checkTimestamp(timestamp, now)).not.toThrow();
});

it.each([
  ' 1700000000',
  '1700000000 ',
  '1700000000.5',
  '+1700000000',
  '1.7e9',
  '0x6553F100',
  '',
  '١٧٠٠٠٠٠٠٠٠',
])('refuses %j with 401', (timestamp) => {
  expect(() => checkTimestamp(timestamp, now)).toThrow(UnauthorizedError);
});
