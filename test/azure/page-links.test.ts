import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { pageLinkPolicy, readingPage, type PageSeen } from '../../src/azure/page-links.ts';

/** One GET through the policy, answered `status` with `body`. */
const answer = (status: number, body: unknown) => {
  const request = createPipelineRequest({ url: 'https://v.vault.azure.net/secrets?api-version=2025-07-01' });
  return pageLinkPolicy.sendRequest(request, async (r): Promise<PipelineResponse> => ({
    request: r,
    status,
    headers: createHttpHeaders(),
    bodyAsText: JSON.stringify(body),
  }));
};

const NEXT = 'https://v.vault.azure.net:443/secrets?api-version=2025-07-01&$skiptoken=abc';

test("a list page's nextLink is recorded for the listing reading it, and null on its last page", async () => {
  const middle: PageSeen = {};
  await readingPage(middle, () => answer(200, { value: [], nextLink: NEXT }));
  expect(middle).toEqual({ nextLink: NEXT });
  const last: PageSeen = {};
  await readingPage(last, () => answer(200, { value: [{ id: 'x' }], nextLink: null }));
  expect(last).toEqual({ nextLink: null });
});

test('a throttled answer, an answer that is no list page, or one outside any listing records nothing', async () => {
  const throttled: PageSeen = {};
  await readingPage(throttled, () => answer(429, { value: [], nextLink: NEXT }));
  expect(throttled).toEqual({});
  const item: PageSeen = {};
  await readingPage(item, () => answer(200, { id: 'x', nextLink: NEXT }));
  expect(item).toEqual({});
  await expect(answer(200, { value: [], nextLink: NEXT })).resolves.toMatchObject({ status: 200 });
});

test('two listings read side by side each see only their own page', async () => {
  const a: PageSeen = {};
  const b: PageSeen = {};
  await Promise.all([
    readingPage(a, async () => {
      await new Promise((r) => setTimeout(r, 5));
      return answer(200, { value: [], nextLink: `${NEXT}a` });
    }),
    readingPage(b, () => answer(200, { value: [], nextLink: null })),
  ]);
  expect(a).toEqual({ nextLink: `${NEXT}a` });
  expect(b).toEqual({ nextLink: null });
});
