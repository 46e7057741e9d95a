/**
 * The form behind a server's `elicitation/create` (form mode): the fields its
 * `requestedSchema` asks for, their defaults, and the check an answer must
 * pass before it goes back to the server. Pure: the renderer builds its form
 * with it and the core validates the user's answer with it again.
 *
 * The schema is MCP's restricted subset: a flat object whose properties are
 * strings (formats email / uri / date / date-time, min/maxLength), numbers or
 * integers (minimum / maximum), booleans, single-select enums (`enum`, with
 * legacy `enumNames`, or titled `oneOf: [{ const, title }]`) and multi-select
 * arrays of enums (`items.enum` or titled `items.anyOf`).
 */

export type ElicitationValue = string | number | boolean | string[];
export type ElicitationContent = Record<string, ElicitationValue>;

export interface ElicitationOption {
  value: string;
  label: string;
}

interface FieldBase {
  /** The property name (the key in the answer). */
  name: string;
  /** What the form shows: the property's title, else its name. */
  label: string;
  description: string | null;
  required: boolean;
}

export type ElicitationField =
  | (FieldBase & {
      kind: 'string';
      format: 'email' | 'uri' | 'date' | 'date-time' | null;
      minLength: number | null;
      maxLength: number | null;
      default?: string;
    })
  | (FieldBase & { kind: 'number'; integer: boolean; minimum: number | null; maximum: number | null; default?: number })
  | (FieldBase & { kind: 'boolean'; default?: boolean })
  | (FieldBase & { kind: 'enum'; options: ElicitationOption[]; default?: string })
  | (FieldBase & { kind: 'multi-enum'; options: ElicitationOption[]; minItems: number | null; maxItems: number | null; default?: string[] });

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const strings = (value: unknown): string[] | null =>
  Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : null;

function titledOptions(value: unknown): ElicitationOption[] | null {
  if (!Array.isArray(value)) return null;
  const options: ElicitationOption[] = [];
  for (const item of value) {
    if (!isObject(item) || typeof item.const !== 'string') return null;
    options.push({ value: item.const, label: str(item.title) ?? item.const });
  }
  return options;
}

function enumOptions(values: string[], names: unknown): ElicitationOption[] {
  const labels = strings(names);
  return values.map((value, index) => ({ value, label: labels?.[index] ?? value }));
}

/** One property's field, or null when the property is not one a form can ask for. */
function fieldOf(name: string, schema: unknown, required: boolean): ElicitationField | null {
  if (!isObject(schema)) return null;
  const base: FieldBase = { name, label: str(schema.title) ?? name, description: str(schema.description), required };
  const type = schema.type;
  if (type === 'string') {
    const single = strings(schema.enum);
    const titled = titledOptions(schema.oneOf);
    if (single || titled) {
      const options = titled ?? enumOptions(single ?? [], schema.enumNames);
      const def = str(schema.default);
      return { ...base, kind: 'enum', options, ...(def !== null ? { default: def } : {}) };
    }
    const format = schema.format === 'email' || schema.format === 'uri' || schema.format === 'date' || schema.format === 'date-time' ? schema.format : null;
    const def = str(schema.default);
    return { ...base, kind: 'string', format, minLength: num(schema.minLength), maxLength: num(schema.maxLength), ...(def !== null ? { default: def } : {}) };
  }
  if (type === 'number' || type === 'integer') {
    const def = num(schema.default);
    return { ...base, kind: 'number', integer: type === 'integer', minimum: num(schema.minimum), maximum: num(schema.maximum), ...(def !== null ? { default: def } : {}) };
  }
  if (type === 'boolean') {
    return { ...base, kind: 'boolean', ...(typeof schema.default === 'boolean' ? { default: schema.default } : {}) };
  }
  if (type === 'array' && isObject(schema.items)) {
    const values = strings(schema.items.enum);
    const options = titledOptions(schema.items.anyOf) ?? (values ? enumOptions(values, undefined) : null);
    if (!options) return null;
    const def = strings(schema.default);
    return { ...base, kind: 'multi-enum', options, minItems: num(schema.minItems), maxItems: num(schema.maxItems), ...(def ? { default: def } : {}) };
  }
  return null;
}

/** The fields of a requested schema, in its property order; properties a form cannot ask for are left out. */
export function elicitationFields(requestedSchema: unknown): ElicitationField[] {
  if (!isObject(requestedSchema) || !isObject(requestedSchema.properties)) return [];
  const required = new Set(strings(requestedSchema.required) ?? []);
  const fields: ElicitationField[] = [];
  for (const [name, schema] of Object.entries(requestedSchema.properties)) {
    const field = fieldOf(name, schema, required.has(name));
    if (field) fields.push(field);
  }
  return fields;
}

/**
 * The answer with every omitted field that has a default filled in with it
 * (SEP-1034: what the user did not change is the server's default). Fields
 * the user gave are kept as they are.
 */
export function withElicitationDefaults(fields: readonly ElicitationField[], content: ElicitationContent): ElicitationContent {
  const out: ElicitationContent = { ...content };
  for (const field of fields) {
    if (out[field.name] !== undefined || field.default === undefined) continue;
    out[field.name] = Array.isArray(field.default) ? [...field.default] : field.default;
  }
  return out;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;

function validDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.getUTCFullYear() === Number(match[1]) && date.getUTCMonth() === Number(match[2]) - 1 && date.getUTCDate() === Number(match[3]);
}

function validUri(value: string): boolean {
  try {
    return /^[a-z][a-z0-9+.-]*:/i.test(value) && new URL(value).protocol.length > 0;
  } catch {
    return false;
  }
}

/** Why one value does not fit its field, or null when it does. */
export function elicitationValueProblem(field: ElicitationField, value: ElicitationValue | undefined): string | null {
  const empty = value === undefined || (field.kind === 'string' && value === '') || (field.kind === 'multi-enum' && Array.isArray(value) && value.length === 0 && field.required);
  if (empty) return field.required ? 'Required' : null;
  switch (field.kind) {
    case 'string': {
      if (typeof value !== 'string') return 'Must be text';
      if (field.minLength !== null && value.length < field.minLength) return `At least ${field.minLength} characters`;
      if (field.maxLength !== null && value.length > field.maxLength) return `At most ${field.maxLength} characters`;
      if (field.format === 'email' && !EMAIL.test(value)) return 'Must be an email address';
      if (field.format === 'uri' && !validUri(value)) return 'Must be a URL (https://…)';
      if (field.format === 'date' && !validDate(value)) return 'Must be a date (YYYY-MM-DD)';
      if (field.format === 'date-time' && (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value)))) return 'Must be a date and time';
      return null;
    }
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'Must be a number';
      if (field.integer && !Number.isInteger(value)) return 'Must be a whole number';
      if (field.minimum !== null && value < field.minimum) return `At least ${field.minimum}`;
      if (field.maximum !== null && value > field.maximum) return `At most ${field.maximum}`;
      return null;
    }
    case 'boolean':
      return typeof value === 'boolean' ? null : 'Must be yes or no';
    case 'enum':
      return typeof value === 'string' && field.options.some((o) => o.value === value) ? null : 'Choose one of the options';
    case 'multi-enum': {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && field.options.some((o) => o.value === v))) return 'Choose among the options';
      if (new Set(value).size !== value.length) return 'Each option at most once';
      if (field.minItems !== null && value.length < field.minItems) return `Choose at least ${field.minItems}`;
      if (field.maxItems !== null && value.length > field.maxItems) return `Choose at most ${field.maxItems}`;
      return null;
    }
  }
}

/** Every problem of an answer, by field name (`{}` when it fits the schema). Values the schema did not ask for are problems too. */
export function elicitationProblems(fields: readonly ElicitationField[], content: ElicitationContent): Record<string, string> {
  const problems: Record<string, string> = {};
  const known = new Set(fields.map((f) => f.name));
  for (const name of Object.keys(content)) if (!known.has(name)) problems[name] = 'Not asked for';
  for (const field of fields) {
    const problem = elicitationValueProblem(field, content[field.name]);
    if (problem) problems[field.name] = problem;
  }
  return problems;
}
