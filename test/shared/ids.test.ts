import { derivedTimeId, newId } from '../../lambdas/shared/ids';
import { deliveryIdOf } from '../../lambdas/shared/events';

describe('ids', () => {
  it('newId is unique and sorts by creation time', () => {
    const earlier = newId('wh', Date.UTC(2026, 0, 1));
    const later = newId('wh', Date.UTC(2026, 0, 2));
    expect(earlier).toMatch(/^wh_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(earlier < later).toBe(true);
    expect(newId('wh')).not.toBe(newId('wh'));
  });

  it('derivedTimeId is deterministic, differs with its parts, and sorts by its time', () => {
    const time = Date.UTC(2026, 10, 23, 8);
    expect(derivedTimeId('msg', time, 'a', 'b')).toBe(derivedTimeId('msg', time, 'a', 'b'));
    expect(derivedTimeId('msg', time, 'a', 'b')).not.toBe(derivedTimeId('msg', time, 'a', 'c'));
    expect(derivedTimeId('msg', time, 'z') < derivedTimeId('msg', time + 1, 'a')).toBe(true);
  });

  it('a delivery id is stable for the same event and subscription, and newer events sort after', () => {
    const first = deliveryIdOf('tn_1', 'evt_1', '2026-11-23T08:00:00.000Z');
    expect(deliveryIdOf('tn_1', 'evt_1', '2026-11-23T08:00:00.000Z')).toBe(first);
    expect(deliveryIdOf('tn_2', 'evt_1', '2026-11-23T08:00:00.000Z')).not.toBe(first);
    expect(deliveryIdOf('tn_1', 'evt_0', '2026-11-23T08:00:01.000Z') > first).toBe(true);
  });
});
