import { benchCases, ingestStep } from '../../bench/normalization';
import { UnauthorizedError } from '../../lambdas/shared/errors';
import { isIgnored, type NormalizeResult } from '../../lambdas/providers/types';

describe('the normalization figure’s requests', () => {
  const { cases, cleanup } = benchCases(new Date('2026-01-15T10:00:00.000Z'));
  afterAll(cleanup);

  it('are signed so that each provider module verifies them, and normalize every event', async () => {
    const counts: Record<string, { events: number; forwarded: number }> = {};
    for (const { entry, context } of cases) {
      const results = (await ingestStep(entry, context)()) as NormalizeResult[];
      counts[entry.module.name] = {
        events: results.length,
        forwarded: results.filter((result) => !isIgnored(result)).length,
      };
    }
    // SendGrid: open, click, bounce forwarded; deferred ignored, repeated over 1,000 events.
    expect(counts).toEqual({
      sendgrid: { events: 1000, forwarded: 750 },
      ses: { events: 1, forwarded: 1 },
      twilio: { events: 1, forwarded: 1 },
    });
  });

  it('fail verification once their content changes', async () => {
    const tamper: Record<string, (body: string) => string> = {
      sendgrid: (body) => body.replace('"open"', '"opex"'),
      ses: (body) => body.replace('trk_ses', 'trk_sex'),
      twilio: (body) => `${body}&Extra=1`,
    };
    for (const { entry, context } of cases) {
      const body = tamper[entry.module.name]!(entry.request.rawBody.toString('utf8'));
      expect(body).not.toBe(entry.request.rawBody.toString('utf8'));
      const tampered = { ...entry, request: { ...entry.request, rawBody: Buffer.from(body, 'utf8') } };
      await expect(Promise.resolve().then(ingestStep(tampered, context))).rejects.toThrow(UnauthorizedError);
    }
  });
});
