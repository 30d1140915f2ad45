/**
 * bin/walt started as a program, as `walt` is run once installed: its first
 * line is sh, which asks glibc's malloc for transparent huge pages (the first
 * touch of each 4 KB page is what replay-to-state and restore pay most for on
 * a virtual machine) and then runs the rest with node. A GLIBC_TUNABLES the
 * user set is kept, and one that already chooses huge pages is left alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { waltBin } from '../helpers/fixtures.js';

/** `walt ...args` run through its #! line, with the GLIBC_TUNABLES its node process saw. */
function launch(args: string[], tunables?: string): { status: number | null; stdout: string; seen: string } {
  const dir = mkdtempSync(join(tmpdir(), 'walt-launcher-'));
  try {
    const probe = join(dir, 'probe.cjs');
    writeFileSync(probe, "process.on('exit', () => process.stderr.write('TUNABLES=' + (process.env.GLIBC_TUNABLES ?? '') + '\\n'));\n");
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: `--require=${probe}`, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}` };
    delete env.GLIBC_TUNABLES;
    if (tunables !== undefined) env.GLIBC_TUNABLES = tunables;
    const r = spawnSync(waltBin, args, { encoding: 'utf8', env });
    if (r.error) throw r.error;
    const seen = /^TUNABLES=(.*)$/m.exec(r.stderr);
    assert.ok(seen, `walt ${args.join(' ')} ran node: ${r.stderr}`);
    return { status: r.status, stdout: r.stdout, seen: seen[1] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('walt run as a program asks for huge pages, and its arguments and exit status pass through', () => {
  const v = launch(['--version']);
  assert.equal(v.status, 0);
  assert.match(v.stdout, /^walt \d+\.\d+\.\d+/);
  assert.equal(v.seen, 'glibc.malloc.hugetlb=1');
  // A usage error's status (2) is node's own, through exec.
  assert.equal(launch(['verify', '--no-such-flag']).status, 2);
});

test("the user's GLIBC_TUNABLES is kept, and their huge-page choice wins", () => {
  assert.equal(launch(['--version'], 'glibc.malloc.arena_max=2').seen, 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1');
  assert.equal(launch(['--version'], 'glibc.malloc.hugetlb=0').seen, 'glibc.malloc.hugetlb=0');
});
