import { randomUUID } from 'node:crypto';

/** A domain event, as modules publish it and as live views receive it. */
export interface DomainEvent<T = unknown> {
  id: string;
  /** Increases with every event a bus delivers; live clients resume from it. */
  seq: number;
  /** Dotted name, module first: "territory.site.created". */
  topic: string;
  at: string;
  /** The member the event concerns, for scoping; null for events every user may see. */
  memberId: string | null;
  data: T;
}

export type EventHandler = (event: DomainEvent) => void | Promise<void>;

export interface PublishInput<T> {
  topic: string;
  memberId: string | null;
  data: T;
}

/**
 * What modules see of the event bus. The in-process implementation serves one node; a NATS JetStream
 * implementation sits behind the same interface for several nodes.
 */
export interface EventBus {
  publish<T>(input: PublishInput<T>): Promise<DomainEvent<T>>;
  /** `pattern` is a topic or a prefix ending in ".*" ("territory.*"); "*" receives everything. */
  subscribe(pattern: string, handler: EventHandler): () => void;
  /** Events after `seq` still held in memory, oldest first, for clients that reconnect. */
  since(seq: number): DomainEvent[];
  close(): Promise<void>;
}

export function topicMatches(pattern: string, topic: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return topic.startsWith(pattern.slice(0, -1));
  return pattern === topic;
}

export class InProcessEventBus implements EventBus {
  private seq = 0;
  private readonly handlers = new Set<{ pattern: string; handler: EventHandler }>();
  private readonly recent: DomainEvent[] = [];

  constructor(
    private readonly onHandlerError: (error: unknown, event: DomainEvent) => void = () => {},
    private readonly keep = 1000,
  ) {}

  async publish<T>(input: PublishInput<T>): Promise<DomainEvent<T>> {
    const event: DomainEvent<T> = {
      id: randomUUID(),
      seq: ++this.seq,
      topic: input.topic,
      at: new Date().toISOString(),
      memberId: input.memberId,
      data: input.data,
    };
    this.recent.push(event);
    if (this.recent.length > this.keep) this.recent.shift();
    for (const entry of [...this.handlers]) {
      if (!topicMatches(entry.pattern, event.topic)) continue;
      try {
        await entry.handler(event);
      } catch (error) {
        // One failing subscriber must not stop the others nor the publisher.
        this.onHandlerError(error, event);
      }
    }
    return event;
  }

  subscribe(pattern: string, handler: EventHandler): () => void {
    const entry = { pattern, handler };
    this.handlers.add(entry);
    return () => this.handlers.delete(entry);
  }

  since(seq: number): DomainEvent[] {
    return this.recent.filter((e) => e.seq > seq);
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
