import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';

/** Checks emulator responses against the Key Vault REST API's own OpenAPI (Swagger 2.0) files in reference/. */
const SPEC_DIR = join(dirname(fileURLToPath(import.meta.url)), 'reference', 'keyvault-rest-api', '2025-07-01');

type Schema = {
  $ref?: string;
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: boolean | Schema;
  type?: string;
};
interface Operation {
  template: RegExp;
  method: string;
  responses: Record<string, { schema?: Schema }>;
  file: string;
  path: string;
}

const specs = ['secrets', 'keys', 'certificates'].map((f) => ({
  f,
  doc: JSON.parse(readFileSync(join(SPEC_DIR, `${f}.json`), 'utf8')) as {
    paths: Record<string, Record<string, { responses: Record<string, { schema?: Schema }> }>>;
    definitions: Record<string, Schema>;
  },
}));

const operations: Operation[] = specs
  .flatMap(({ f, doc }) =>
    Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([m]) => m !== 'parameters')
        .map(([method, o]) => ({
          file: f,
          path,
          method: method.toUpperCase(),
          responses: o.responses,
          template: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]*')}/?$`, 'i'),
        })),
    ),
  )
  // Literal segments first, so /secrets/restore is not taken for /secrets/{secret-name}.
  .sort(
    (a, b) =>
      (b.path.match(/\/[a-z]+(?=\/|$)/gi)?.length ?? 0) - (a.path.match(/\/[a-z]+(?=\/|$)/gi)?.length ?? 0) ||
      a.path.split('/').length - b.path.split('/').length,
  );

const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
const validators = new Map<string, ValidateFunction>();

function resolve(file: string, s: Schema): Schema {
  const defs = specs.find((x) => x.f === file)!.doc.definitions;
  return s.$ref ? resolve(file, defs[s.$ref.replace('#/definitions/', '')]!) : s;
}

/** Fields the recorded real service sends although the spec does not list them (the recordings win). */
const REAL_SERVICE_EXTRAS = new Set([
  'basic_constraints',
  // A pending certificate's bundle links its operation (certificates_client__create_read_update_and_delete).
  'pending',
  // A certificate list item carries `"subject": ""` (certificates_client__list_certificates_in_various_ways).
  'subject',
]);

/** Properties the response carries that the spec does not know (the emulator must not invent fields). */
function unknownProperties(file: string, schema: Schema, value: unknown, at: string, out: string[]): void {
  const s = resolve(file, schema);
  if (Array.isArray(value) && s.items)
    value.forEach((v, i) => unknownProperties(file, s.items!, v, `${at}[${i}]`, out));
  if (!value || typeof value !== 'object' || Array.isArray(value)) return;
  const known: Record<string, Schema> = {};
  const collect = (x: Schema) => {
    const r = resolve(file, x);
    Object.assign(known, r.properties ?? {});
    (r.allOf ?? []).forEach(collect);
  };
  collect(s);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if (!(k in known)) {
      if (!REAL_SERVICE_EXTRAS.has(k)) out.push(`${at}.${k}`);
    } else unknownProperties(file, known[k]!, v, `${at}.${k}`, out);
  }
}

export function checkAgainstSpec(method: string, path: string, status: number, body: unknown): string[] {
  const op = operations.find((o) => o.method === method && o.template.test(path));
  if (!op) return [`no operation in the spec for ${method} ${path}`];
  const response = op.responses[String(status)] ?? op.responses.default;
  if (!response) return [`${method} ${op.path}: status ${status} is not in the spec`];
  if (!response.schema)
    return body === undefined || body === null || body === ''
      ? []
      : [`${method} ${op.path}: ${status} should have no body`];
  const key = `${op.file} ${op.method} ${op.path} ${status}`;
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile({ ...response.schema, definitions: specs.find((x) => x.f === op.file)!.doc.definitions });
    validators.set(key, validate);
  }
  // The recorded real service ends a listing with "nextLink": null, which the spec (string) does not allow; the
  // recording wins.
  const problems = validate(body)
    ? []
    : (validate.errors ?? [])
        .filter((e) => !(e.instancePath === '/nextLink' && (body as { nextLink?: unknown }).nextLink === null))
        .map((e) => `${method} ${op.path} ${status}: ${e.instancePath} ${e.message}`);
  const unknown: string[] = [];
  unknownProperties(op.file, response.schema, body, '', unknown);
  return [...problems, ...unknown.map((u) => `${method} ${op.path} ${status}: property ${u} is not in the spec`)];
}
