/**
 * walt's .proto files (proto/etcd) held to etcd's own, as Debian's
 * golang-etcd-server-dev installs them (3.4 in bookworm, 3.5 in .etcd35 from
 * the newer suite), both read with protobufjs: every message walt defines is
 * a message of that name in etcd, in the same syntax, and every field walt
 * defines is a field of it in at least one of the versions, with the same
 * number, name, type and label, clashing with none (the same number meaning
 * something else in another version); in proto2, with the same gogoproto
 * nullability, which decides what etcd writes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { repoRoot } from '../helpers/fixtures.js';
import { etcd35GoSrc, etcd35Skip } from '../helpers/etcd35.js';

const ETCD34 = '/usr/share/gocode/src/go.etcd.io/etcd';
const OURS = join(repoRoot, 'proto', 'etcd');
const PACKAGES = new Set(['walpb', 'raftpb', 'snappb', 'etcdserverpb', 'mvccpb', 'authpb', 'leasepb', 'membershippb']);

interface Protos {
  version: string;
  root: protobuf.Root;
  /** Messages declared in proto2 files, where gogoproto's nullability decides what is written. */
  proto2: Set<string>;
}

function protoFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return e.name === 'vendor' || e.name === 'functional' ? [] : protoFiles(join(dir, e.name));
    return e.name.endsWith('.proto') ? [join(dir, e.name)] : [];
  });
}

/** The files of `dir` that declare one of PACKAGES, parsed without their imports. */
function load(version: string, dir: string): Protos | undefined {
  const root = new protobuf.Root();
  const proto2 = new Set<string>();
  let found = 0;
  for (const file of protoFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    const pkg = /^package\s+(\w+);/m.exec(text)?.[1];
    if (!pkg || !PACKAGES.has(pkg)) continue;
    protobuf.parse(text, root, { keepCase: true });
    found++;
    if (!/^syntax\s*=\s*"proto3"/m.test(text)) for (const m of text.matchAll(/^message\s+(\w+)/gm)) proto2.add(`${pkg}.${m[1]}`);
  }
  return found ? { version, root, proto2 } : undefined;
}

const ours = load('walt', OURS)!;
const etcd34 = load('3.4', ETCD34);
const etcd35 = etcd35Skip() ? undefined : load('3.5', join(etcd35GoSrc, 'go.etcd.io', 'etcd'));
const versions = [etcd34, etcd35].filter((v): v is Protos => v !== undefined);

/** What walt reads from etcd 3.6 only, which Debian does not package: held to its source (api/etcdserverpb/raft_internal.proto) by hand. */
const ETCD36_ONLY = new Set(['etcdserverpb.DowngradeVersionTestRequest', 'etcdserverpb.InternalRaftRequest.downgrade_version_test']);

function messages(ns: protobuf.NamespaceBase): protobuf.Type[] {
  return ns.nestedArray.flatMap((o) => [...(o instanceof protobuf.Type ? [o] : []), ...(o instanceof protobuf.Namespace ? messages(o) : [])]);
}

function lookup(root: protobuf.Root, name: string): protobuf.Type | undefined {
  try {
    return root.lookupType(name);
  } catch {
    return undefined;
  }
}

const label = (f: protobuf.Field) => (f.repeated ? 'repeated' : f.required ? 'required' : 'optional');
/** A field's type as a full name where it names a message or an enum (etcd's files are not resolved: their imports are not loaded). */
function typeName(f: protobuf.Field): string {
  if (f.type in protobuf.types.basic || f.type === 'bytes' || f.type === 'string') return f.type;
  const t = f.type.replace(/^\./, '');
  if (t.includes('.') && PACKAGES.has(t.split('.')[0])) return t;
  // Relative to the message, then to its package, as protobuf resolves names.
  const scopes = [f.parent!.fullName.slice(1), f.parent!.fullName.slice(1).split('.')[0]];
  for (const s of scopes) {
    const hit = f.parent!.root.lookup(`${s}.${t}`);
    if (hit) return hit.fullName.slice(1);
  }
  return `${scopes[1]}.${t}`;
}

const nullability = (f: protobuf.Field) => f.options?.['(gogoproto.nullable)'];

/** How our field differs from etcd's field with its number; undefined when they agree. */
function differs(mine: protobuf.Field, theirs: protobuf.Field, proto2: boolean): string | undefined {
  if (mine.name !== theirs.name) return `is named ${theirs.name}, not ${mine.name}`;
  if (label(mine) !== label(theirs)) return `is ${label(theirs)}, not ${label(mine)}`;
  if (typeName(mine) !== typeName(theirs)) return `is a ${typeName(theirs)}, not a ${typeName(mine)}`;
  if (proto2 && nullability(mine) !== nullability(theirs)) return `has (gogoproto.nullable) = ${nullability(theirs)}, not ${nullability(mine)}`;
  return undefined;
}

const skip = versions.length === 0 ? "needs etcd's .proto files (Debian's golang-etcd-server-dev; .ci/run installs it)" : false;

test("every message and field of proto/etcd is etcd's (number, name, type, label, syntax, nullability)", { skip }, (t) => {
  const mine = messages(ours.root);
  assert.ok(mine.length >= 50, `${mine.length} messages`);
  const problems: string[] = [];
  /** What only a newer etcd than those loaded can confirm: a problem once 3.5 is here, else reported as unchecked. */
  const unchecked: string[] = [];
  const missing = (what: string) => (etcd35 ? problems : unchecked).push(what);
  let compared = 0;
  for (const type of mine) {
    const name = type.fullName.slice(1);
    if (ETCD36_ONLY.has(name)) continue;
    const theirs = versions.map((v) => ({ v, type: lookup(v.root, name) })).filter((x) => x.type !== undefined);
    if (theirs.length === 0) {
      missing(`${name}: no such message in etcd ${versions.map((v) => v.version).join(' or ')}`);
      continue;
    }
    for (const { v } of theirs) if (v.proto2.has(name) !== ours.proto2.has(name)) problems.push(`${name}: etcd ${v.version} declares it in ${v.proto2.has(name) ? 'proto2' : 'proto3'}`);
    for (const f of type.fieldsArray) {
      if (ETCD36_ONLY.has(`${name}.${f.name}`)) continue;
      const matches = theirs.map(({ v, type }) => ({ v, field: type!.fieldsById[f.id] })).filter((x) => x.field !== undefined);
      if (matches.length === 0) missing(`${name}.${f.name} (${f.id}): no field ${f.id} in etcd ${theirs.map((x) => x.v.version).join(' or ')}`);
      for (const { v, field } of matches) {
        compared++;
        const why = differs(f, field, v.proto2.has(name));
        if (why) problems.push(`${name}.${f.name} (${f.id}): in etcd ${v.version} field ${f.id} ${why}`);
      }
    }
  }
  assert.deepEqual(problems, []);
  if (unchecked.length > 0) t.diagnostic(`not checked, as etcd 3.5's .proto files are absent (${etcd35Skip()}): ${unchecked.join('; ')}`);
  assert.ok(compared >= 150 * versions.length, `${compared} fields compared`);
});

test('every field of proto/etcd newer than etcd 3.4 says so', { skip: etcd34 ? false : skip }, () => {
  const unnoted: string[] = [];
  for (const file of protoFiles(OURS)) {
    const text = readFileSync(file, 'utf8');
    const pkg = /^package\s+(\w+);/m.exec(text)![1];
    // membershippb is new in 3.5 as a whole, and says so at its head.
    if (pkg === 'membershippb') continue;
    for (const type of messages(ours.root).filter((m) => m.fullName.startsWith(`.${pkg}.`))) {
      const name = type.fullName.slice(1);
      const old = lookup(etcd34!.root, name);
      for (const f of type.fieldsArray) {
        if (old?.fieldsById[f.id]) continue;
        const line = text.split('\n').find((l) => new RegExp(`\\b${f.name}\\s*=\\s*${f.id}\\b`).test(l));
        if (line && !/\/\/ 3\.[56]\b/.test(line)) unnoted.push(`${name}.${f.name}`);
      }
    }
  }
  assert.deepEqual(unnoted, []);
});

test('the check above finds a field walt got wrong (a control)', { skip }, () => {
  const entry = lookup(versions[0].root, 'raftpb.Entry')!;
  const field = (name: string, id: number, type: string, rule?: string, nullable?: boolean) => {
    const f = new protobuf.Field(name, id, type, rule, undefined, nullable === undefined ? undefined : { '(gogoproto.nullable)': nullable });
    new protobuf.Type('Entry').add(f);
    new protobuf.Namespace('raftpb').add(f.parent!);
    return f;
  };
  assert.match(differs(field('Term', 2, 'uint32', 'optional', false), entry.fieldsById[2], true) ?? '', /uint64/);
  assert.match(differs(field('Data', 4, 'bytes', 'repeated'), entry.fieldsById[4], true) ?? '', /repeated/);
  assert.match(differs(field('Index', 3, 'uint64', 'optional'), entry.fieldsById[3], true) ?? '', /nullable/);
  assert.match(differs(field('index', 3, 'uint64', 'optional', false), entry.fieldsById[3], true) ?? '', /named Index/);
});
