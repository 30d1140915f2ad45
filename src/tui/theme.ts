/**
 * Colours, or none: NO_COLOR (https://no-color.org: set and not empty) turns
 * every colour off. Bold, dim and inverse are attributes, not colours, and
 * stay, so the selection and the marks still show.
 */
export type Tone = 'error' | 'warning' | 'ok' | 'accent' | 'muted';

export interface Theme {
  /** The colour for a tone, or undefined to print it plain. */
  color(tone: Tone): string | undefined;
}

const COLORS: Record<Tone, string> = { error: 'red', warning: 'yellow', ok: 'green', accent: 'cyan', muted: 'gray' };

export function themeFor(env: NodeJS.ProcessEnv = process.env): Theme {
  const plain = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return { color: (tone) => (plain ? undefined : COLORS[tone]) };
}
