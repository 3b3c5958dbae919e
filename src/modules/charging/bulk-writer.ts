/**
 * Group commit: rows handed in while writes are running are written together by the next one, so a
 * burst of small messages becomes a few multi-row inserts. Up to `parallel` writes run at once, so that
 * commits (each waits for the disk) overlap on the pool's connections. add() resolves once its rows are
 * stored (the OCPP answer waits for it: a station that got its answer may forget the message), or
 * rejects with the write's error.
 */
export class BulkWriter<T> {
  private queue: { rows: T[]; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly write: (rows: T[]) => Promise<void>,
    private readonly maxRows = 2000,
    private readonly parallel = 2,
  ) {}

  add(rows: T[]): Promise<void> {
    if (!rows.length) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.queue.push({ rows, resolve, reject });
      this.kick();
    });
  }

  private kick() {
    while (this.running.size < this.parallel && this.queue.length) {
      const run: Promise<void> = this.drain().finally(() => {
        this.running.delete(run);
        this.kick();
      });
      this.running.add(run);
    }
  }

  private async drain() {
    const batch: typeof this.queue = [];
    let size = 0;
    while (this.queue.length && (size === 0 || size + this.queue[0]!.rows.length <= this.maxRows)) {
      const item = this.queue.shift()!;
      batch.push(item);
      size += item.rows.length;
    }
    try {
      const rows = batch.flatMap((b) => b.rows);
      for (let i = 0; i < rows.length; i += this.maxRows) await this.write(rows.slice(i, i + this.maxRows));
      for (const b of batch) b.resolve();
    } catch (error) {
      for (const b of batch) b.reject(error);
    }
  }

  /** Waits until every row handed in so far is written. */
  async flush(): Promise<void> {
    while (this.running.size || this.queue.length) {
      this.kick();
      await Promise.allSettled([...this.running]);
    }
  }
}
