/**
 * src/codec/proto/etcd.gen.ts is what scripts/gen-etcd-proto.mjs makes of
 * proto/etcd/*.proto (npm run build runs it): the descriptor protobufjs loads
 * and the TypeScript types cannot drift from the .proto files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../helpers/fixtures.js';

test('etcd.gen.ts is current with proto/etcd (else: node scripts/gen-etcd-proto.mjs)', async () => {
  const { generate } = (await import(pathToFileURL(join(repoRoot, 'scripts', 'gen-etcd-proto.mjs')).href)) as { generate: () => string };
  assert.ok(readFileSync(join(repoRoot, 'src', 'codec', 'proto', 'etcd.gen.ts'), 'utf8') === generate(), 'src/codec/proto/etcd.gen.ts differs from what proto/etcd makes');
});
