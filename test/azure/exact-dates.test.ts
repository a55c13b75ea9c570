import { createHttpHeaders, createPipelineRequest, type PipelineRequest } from '@azure/core-rest-pipeline';
import { EXACT_DATES_HEADER, exactDates, exactDatesPolicy } from '../../src/azure/exact-dates.ts';

const Y2100 = Date.UTC(2100, 0, 1);
const Y9999 = Date.UTC(9999, 11, 31);

/** A request as the SDK builds it: the body the SDK serialised (its dates wrapped), the options' headers. */
function request(body: unknown, headers: Record<string, string>): PipelineRequest {
  return createPipelineRequest({
    url: 'https://v.vault.azure.net/secrets/s?api-version=2025-07-01',
    method: 'PUT',
    headers: createHttpHeaders(headers),
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function sent(req: PipelineRequest): Promise<PipelineRequest> {
  let out: PipelineRequest | undefined;
  await exactDatesPolicy.sendRequest(req, async (r) => {
    out = r;
    return { request: r, status: 200, headers: createHttpHeaders() };
  });
  return out!;
}

const wrapped = (ms: number) => (ms / 1000) | 0; // the SDK's serialisation

describe('exactDatesPolicy', () => {
  test('writes the exact exp and nbf over the wrapped ones, changes nothing else, and sends no header', async () => {
    const body = {
      value: 'p\u00e9\ud83d\ude00"\\',
      contentType: 'text/plain',
      attributes: { enabled: true, nbf: wrapped(Y2100), exp: wrapped(Y9999) },
      tags: { a: 'b' },
    };
    const { headers } = exactDates(Y9999, Y2100).requestOptions;
    const out = await sent(request(body, headers));
    expect(out.headers.has(EXACT_DATES_HEADER)).toBe(false);
    expect(out.body).toBe(
      JSON.stringify({ ...body, attributes: { enabled: true, nbf: 4102444800, exp: 253402214400 } }),
    );
  });

  test('a date the SDK left out stays out; a body without attributes passes as it is', async () => {
    const { headers } = exactDates(Y2100, undefined).requestOptions;
    const noNbf = JSON.stringify({ value: 'v', attributes: { enabled: true, exp: wrapped(Y2100) } });
    expect(JSON.parse((await sent(request(noNbf, headers))).body as string).attributes).toEqual({
      enabled: true,
      exp: 4102444800,
    });
    const bare = JSON.stringify({ value: 'v' });
    expect((await sent(request(bare, headers))).body).toBe(bare);
  });

  test('a request without the header is untouched', async () => {
    const body = JSON.stringify({ attributes: { exp: wrapped(Y2100) } });
    expect((await sent(request(body, {}))).body).toBe(body);
  });

  test('a body it cannot rewrite exactly fails the request, without quoting the body', async () => {
    const { headers } = exactDates(Y2100, undefined).requestOptions;
    const odd = '{"value":"hunter2",  "attributes":{"exp":1}}';
    const error = await sent(request(odd, headers)).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/no JSON body to date exactly/);
    expect((error as Error).message).not.toContain('hunter2');
  });
});
