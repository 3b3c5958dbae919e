import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, ApiError } from './api';
import { MODULES } from './modules';
import type { LiveEvent } from './types';

export type LiveState = 'connecting' | 'open' | 'reconnecting' | 'closed';

interface Live {
  state: LiveState;
  /** The last events received, newest first, for views that show activity. */
  recent: LiveEvent[];
}

const LiveContext = createContext<Live>({ state: 'closed', recent: [] });

function queryRootsFor(topic: string): string[] {
  return MODULES.flatMap((module) => module.live.filter((rule) => topic.startsWith(rule.topic)).flatMap((rule) => rule.queryKeys));
}

/**
 * One EventSource for the signed-in console. The browser reconnects by itself and sends Last-Event-ID, so
 * the server replays what was missed; when it cannot (a gap, a restart) it says so and every view reloads.
 * A stream the browser gave up on is reopened here with ?since= after the session is confirmed.
 */
export function LiveProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');
  const [recent, setRecent] = useState<LiveEvent[]>([]);
  const lastSeq = useRef<number | null>(null);

  useEffect(() => {
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let attempts = 0;

    const connect = () => {
      source = new EventSource(lastSeq.current === null ? '/api/stream' : `/api/stream?since=${lastSeq.current}`);
      setState(lastSeq.current === null ? 'connecting' : 'reconnecting');
      source.addEventListener('ready', (message) => {
        const ready = JSON.parse((message as MessageEvent<string>).data) as { seq: number; resumed: boolean };
        attempts = 0;
        if (lastSeq.current !== null && !ready.resumed) void queryClient.invalidateQueries({ predicate: (q) => q.queryKey[0] !== 'session' });
        lastSeq.current = ready.seq;
        setState('open');
      });
      source.onmessage = (message: MessageEvent<string>) => {
        const event = JSON.parse(message.data) as LiveEvent;
        lastSeq.current = event.seq;
        setRecent((list) => [event, ...list].slice(0, 20));
        for (const root of new Set(queryRootsFor(event.topic))) void queryClient.invalidateQueries({ queryKey: [root] });
      };
      source.addEventListener('expired', () => void queryClient.invalidateQueries({ queryKey: ['session'] }));
      source.onerror = () => {
        if (source?.readyState === EventSource.CONNECTING) {
          setState('reconnecting');
          return;
        }
        source?.close();
        setState('reconnecting');
        // The browser stops on a refused stream (401 after expiry, 5xx): confirm the session, then try again.
        void api('/api/auth/session')
          .catch((error: unknown) => {
            if (error instanceof ApiError && error.status === 401) stopped = true;
          })
          .finally(() => {
            if (stopped) return setState('closed');
            attempts += 1;
            retry = setTimeout(connect, Math.min(30_000, 1000 * 2 ** Math.min(attempts, 5)));
          });
      };
    };

    connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
    };
  }, [queryClient]);

  return <LiveContext.Provider value={{ state, recent }}>{children}</LiveContext.Provider>;
}

export const useLive = () => useContext(LiveContext);
