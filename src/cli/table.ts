/**
 * cli-table3, loaded when a command draws a table: its package and the six
 * it requires cost a tenth of a `--help`, which, like JSON output, draws none.
 */
import { createRequire } from 'node:module';
import type TableOf from 'cli-table3';

const require = createRequire(import.meta.url);
let Table: typeof TableOf | undefined;

export function newTable(options: TableOf.TableConstructorOptions): TableOf.Table {
  Table ??= require('cli-table3') as typeof TableOf;
  return new Table(options);
}
