/**
 * walt's JSON writer against JSON.parse, the reader every script uses: any
 * string reads back as it was, and the output is ASCII (non-ASCII escaped).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toJSON } from '../../src/util/json.js';

test('strings read back with JSON.parse as they were, whatever they hold, and print as ASCII', () => {
  const samples = ['', 'pod-1', 'kube-system/coredns', 'a"b', 'back\\slash', 'tab\there', 'new\nline', '\u0000\u001f\u007f', 'é ü', '日本', '\u2028', 'emoji 😀', 'x'.repeat(300), 'x'.repeat(300) + 'é'];
  // And every character below 0x100, one string each, short and past the length copied by a loop.
  for (let c = 0; c < 0x100; c++) samples.push(String.fromCharCode(c), 'y'.repeat(255) + String.fromCharCode(c));
  for (const s of samples) {
    const json = toJSON({ s, list: [s] });
    assert.deepEqual(JSON.parse(json), { s, list: [s] }, JSON.stringify(s));
    assert.ok(/^[\x00-\x7f]*$/.test(json), `${JSON.stringify(s)} printed as ${json}`);
  }
});
