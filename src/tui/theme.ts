/**
 * Colours, or none (walt's one rule, cli/options.ts colorOff: --no-color,
 * FORCE_COLOR, NO_COLOR). Bold, dim and inverse are attributes, not colours,
 * and stay, so the selection and the marks still show.
 */
export type Tone = 'error' | 'warning' | 'ok' | 'accent' | 'muted';

export interface Theme {
  /** The colour for a tone, or undefined to print it plain. */
  color(tone: Tone): string | undefined;
}

const COLORS: Record<Tone, string> = { error: 'red', warning: 'yellow', ok: 'green', accent: 'cyan', muted: 'gray' };

export function themeFor(plain: boolean): Theme {
  return { color: (tone) => (plain ? undefined : COLORS[tone]) };
}
