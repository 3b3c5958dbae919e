import { createTheme, type CSSVariablesResolver } from '@mantine/core';

/**
 * Shade 8 of the palette under white text, and dark "dimmed" text, keep every text above the 4.5:1
 * contrast of WCAG AA; Mantine's defaults (shade 6, gray 6) do not.
 */
export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: 8,
  focusRing: 'auto',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  defaultRadius: 'sm',
});

export const cssVariables: CSSVariablesResolver = () => ({
  variables: {},
  light: { '--mantine-color-error': 'var(--mantine-color-red-9)', '--mantine-color-dimmed': 'var(--mantine-color-gray-7)', '--mantine-color-placeholder': 'var(--mantine-color-gray-7)' },
  dark: {},
});

/** Badge and alert backgrounds that keep small white text above 4.5:1 (Mantine's green 9 and orange 9 do not). */
export const TONE = { success: '#216e33', warning: '#a63c06' } as const;
