/**
 * dump's lines are built in place in the writer's buffer, which goes to the
 * sink when full with the line being built moved to the front: every line
 * must come out whole and in order, however lines fall across flushes, and
 * a line longer than the buffer too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUFFER_BYTES, createLineWriter } from '../../src/cli/line-writer.js';

test('lines built in place come out whole and in order across flushes, longer than the buffer too', () => {
  const chunks: Buffer[] = [];
  let largest = 0;
  const out = createLineWriter((b) => {
    largest = Math.max(largest, b.length);
    chunks.push(Buffer.from(b));
  });
  const expected: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const long = i === 1500 ? 'x'.repeat(BUFFER_BYTES + 10) : 'y'.repeat((i * 7919) % 3000);
    if (i % 3 === 0) {
      const s = `line ${i} é ${long}`;
      out.line(s);
      expected.push(s);
    } else {
      const line = out.jsonLine();
      line.text(`{"n":`);
      line.uint(i);
      line.text(`,"s":"${long}"}`);
      out.endJsonLine();
      expected.push(`{"n":${i},"s":"${long}"}`);
    }
  }
  out.end();
  assert.equal(Buffer.concat(chunks).toString('utf8'), expected.join('\n') + '\n');
  assert.ok(chunks.length > 3, 'flushed as the buffer filled');
  assert.ok(largest > BUFFER_BYTES, 'the longest line went out whole');
});
