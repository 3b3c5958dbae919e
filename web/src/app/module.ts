import type { ComponentType } from 'react';
import type { RouteObject } from 'react-router';
import type { Permissions } from './types';

export interface NavItem {
  to: string;
  label: string;
  /** Shown only when the session's permissions allow it. */
  resource: keyof Permissions;
  action?: string;
  /** Also shown to these roles, whose access comes from the data rather than a grant (a police officer's own requisitions). */
  roles?: readonly string[];
}

/**
 * What a module adds to the console. Pages are loaded lazily (one chunk each), so a module costs the
 * first page nothing but this description.
 */
export interface ConsoleModule {
  id: string;
  nav: NavItem[];
  /** Children of the signed-in shell. */
  routes: RouteObject[];
  /**
   * Key figures on the home page, rendered only if the user may read `tiles.resource`. Not lazy: they are
   * small and the first thing shown after sign-in, where a chunk's round trip would show.
   */
  tiles?: { resource: keyof Permissions; Component: ComponentType };
  /** Live events that make cached queries stale: topic prefix → first segments of query keys. */
  live: { topic: string; queryKeys: string[] }[];
}
