/**
 * The same seed and options give the same run: every file of every data dir
 * byte for byte (WAL segments, .snap files, the .broken copies a torn-tail
 * repair keeps) and the same result; another seed gives another run.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { simulate } from '../../src/sim/simulate.js';
import { resultJson } from '../../src/sim/report.js';
import { toJSON } from '../../src/util/json.js';
import { everyFault, removeDir, scratch } from './helpers.js';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

/** Every file under `dir`, by relative path. */
function files(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

function runIn(seed: bigint) {
  const dir = scratch('det');
  dirs.push(dir);
  const r = simulate({ ...everyFault(seed, 3, 240), tornCrashes: 3, outDir: dir });
  return { dir, r, json: toJSON(resultJson(r)) };
}

test('the same seed twice writes identical data dirs and reports the same run', () => {
  const a = runIn(11n);
  const b = runIn(11n);
  assert.ok(a.r.ok, a.r.violation?.message);
  const fa = files(a.dir);
  const fb = files(b.dir);
  assert.deepEqual([...fa.keys()], [...fb.keys()]);
  assert.ok([...fa.keys()].some((f) => f.endsWith('.wal')) && [...fa.keys()].some((f) => f.endsWith('.snap')));
  // The run tore some writes, so the repair's backups are among the files compared.
  assert.ok(a.r.stats.tornTailsRepaired > 0, 'the run repaired no torn tail');
  for (const [name, bytes] of fa) assert.ok(bytes.equals(fb.get(name)!), `${name} differs between the two runs`);
  assert.equal(a.json, b.json);
});

test('another seed gives another run', () => {
  const a = runIn(12n);
  const b = runIn(13n);
  assert.notEqual(a.json, b.json);
  assert.ok(!files(a.dir).get('node-1/member/wal/0000000000000000-0000000000000000.wal')!.equals(files(b.dir).get('node-1/member/wal/0000000000000000-0000000000000000.wal')!));
});
