/**
 * The browser's screen: ink drawing App until the user quits. `npm run build`
 * bundles this module with ink and React into the CLI's bundle
 * (scripts/bundle-cli.mjs), which browse loads it from: ink and React are
 * some 150 modules, and loading them one by one took 0.8-1.0 s of a first
 * screen on a loaded two-core machine, one file 0.2-0.4 s.
 */
import { createElement } from 'react';
import { render } from 'ink';
import { App } from './App.js';
import { themeFor } from './theme.js';
import type { Session } from './session.js';

/** `plain`: no colours (cli/options.ts colorOff). */
export async function runScreen(session: Session, plain: boolean): Promise<void> {
  const app = render(createElement(App, { session, theme: themeFor(plain) }));
  await app.waitUntilExit();
}
