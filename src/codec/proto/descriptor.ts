/**
 * proto/etcd's messages as walt's readers, writers and renderers see them,
 * read from the descriptor in etcd.gen.ts without loading protobufjs: each
 * field's number, name, kind and repetition, and what gogoproto writes of it
 * (`always`, `presence`; message.ts says why).
 */
import { descriptor } from './etcd.gen.js';

export type ScalarKind = 'uint64' | 'int64' | 'sint64' | 'uint32' | 'int32' | 'bool' | 'enum' | 'fixed64' | 'fixed32' | 'bytes' | 'string';

/** What walt's readers, writers and renderers need to know of a field, read from the descriptor. */
export interface FieldSpec {
  no: number;
  name: string;
  kind: ScalarKind | 'message';
  repeated: boolean;
  /** Written even when zero (proto2, (gogoproto.nullable) = false). */
  always: boolean;
  /** Decodes to undefined when absent; written whenever defined, even as zero (proto2 nullable, proto3 oneof). */
  presence: boolean;
  /** The oneof this field belongs to. */
  oneof?: string;
  msg?: () => MessageSpec;
  /** Names of the enum's values, for display. */
  enumNames?: Readonly<Record<number, string>>;
}

/** A message of proto/etcd: its full name (`etcdserverpb.PutRequest`) and fields, in declaration order. */
export interface MessageSpec {
  readonly name: string;
  readonly fields: readonly FieldSpec[];
  readonly proto2: boolean;
}

/** A decoded message walked by name (renderers); the typed view is in etcd.gen.ts. */
export type Msg = Record<string, any>;

/** What an encoder takes for a message of type T: any field may be left out (written as gogoproto writes an absent one). */
export type Encodable<T> = T extends Uint8Array | bigint | number | string | boolean ? T : T extends readonly (infer E)[] ? readonly Encodable<E>[] : { [K in keyof T]?: Encodable<T[K]> };

interface JsonField {
  type: string;
  id: number;
  rule?: string;
  options?: Record<string, unknown>;
}
interface JsonNode {
  fields?: Record<string, JsonField>;
  oneofs?: Record<string, { oneof: string[] }>;
  values?: Record<string, number>;
  options?: Record<string, unknown>;
  nested?: Record<string, JsonNode>;
}

const root = descriptor as unknown as JsonNode;

function node(fullName: string): JsonNode | undefined {
  let n: JsonNode | undefined = root;
  for (const part of fullName.split('.')) n = n?.nested?.[part];
  return n;
}

/** Resolves a type name as protobuf does: from the innermost scope outwards. */
function resolve(scope: string, name: string): string {
  const parts = scope.split('.');
  for (let i = parts.length; i >= 0; i--) {
    const full = [...parts.slice(0, i), name].join('.');
    if (node(full)) return full;
  }
  throw new Error(`proto/etcd: ${name} (in ${scope}) is not defined`);
}

const SCALARS: Record<string, ScalarKind> = {
  uint64: 'uint64',
  int64: 'int64',
  sint64: 'sint64',
  uint32: 'uint32',
  int32: 'int32',
  bool: 'bool',
  fixed64: 'fixed64',
  fixed32: 'fixed32',
  bytes: 'bytes',
  string: 'string',
};

const specs = new Map<string, MessageSpec>();

/** The message `fullName` of proto/etcd (e.g. `raftpb.Entry`); its fields are read on first use. */
export function spec(fullName: string): MessageSpec {
  let s = specs.get(fullName);
  if (s) return s;
  const n = node(fullName);
  if (!n?.fields) throw new Error(`proto/etcd: no message ${fullName}`);
  let fields: FieldSpec[] | undefined;
  const proto2 = n.options?.['(walt.proto2)'] === true;
  s = {
    name: fullName,
    proto2,
    get fields() {
      return (fields ??= fieldsOf(fullName, n, proto2));
    },
  };
  specs.set(fullName, s);
  return s;
}

function fieldsOf(fullName: string, n: JsonNode, proto2: boolean): FieldSpec[] {
  const oneofOf = new Map<string, string>();
  for (const [name, o] of Object.entries(n.oneofs ?? {})) for (const f of o.oneof) oneofOf.set(f, name);
  return Object.entries(n.fields!).map(([name, f]): FieldSpec => {
    const repeated = f.rule === 'repeated';
    const oneof = oneofOf.get(name);
    const nonNullable = f.options?.['(gogoproto.nullable)'] === false;
    const base = { no: f.id, name, repeated, oneof, always: proto2 && nonNullable && !repeated };
    const scalar = SCALARS[f.type];
    if (scalar) return { ...base, kind: scalar, presence: !repeated && (oneof !== undefined || (proto2 && !nonNullable)) };
    const target = resolve(fullName, f.type);
    const t = node(target)!;
    if (t.values) {
      const enumNames = Object.fromEntries(Object.entries(t.values).map(([k, v]) => [v, k]));
      return { ...base, kind: 'enum', enumNames, presence: !repeated && (oneof !== undefined || (proto2 && !nonNullable)) };
    }
    return { ...base, kind: 'message', msg: () => spec(target), presence: false };
  });
}

/** The values of an enum of proto/etcd by number, e.g. enumNames('etcdserverpb.AlarmType')[1] === 'NOSPACE'. */
export function enumNames(fullName: string): Readonly<Record<number, string>> {
  const values = node(fullName)?.values;
  if (!values) throw new Error(`proto/etcd: no enum ${fullName}`);
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [v, k]));
}
