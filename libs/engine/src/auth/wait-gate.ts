// At most `concurrency` tasks at a time; the rest wait first come, first served — each at most
// `maxWaitMs`, at most `maxWaiting` of them — and are refused with `busy()` past either bound.
export interface WaitGateOptions {
  concurrency: number;
  maxWaiting: number;
  maxWaitMs: number;
  busy: () => Error;
}

interface Waiter {
  admit(): void;
  timer: NodeJS.Timeout;
}

export class WaitGate {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(private readonly options: WaitGateOptions) {}

  get stats(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /** Throws busy() when a task arriving now could not even wait. */
  assertRoom(): void {
    if (this.running >= this.options.concurrency && this.waiting.length >= this.options.maxWaiting) throw this.options.busy();
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running < this.options.concurrency) this.running += 1;
    else await this.wait();
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) {
        clearTimeout(next.timer);
        next.admit(); // the slot passes straight on
      } else {
        this.running -= 1;
      }
    }
  }

  private wait(): Promise<void> {
    this.assertRoom();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        admit: resolve,
        timer: setTimeout(() => {
          const at = this.waiting.indexOf(waiter);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(this.options.busy());
        }, this.options.maxWaitMs),
      };
      this.waiting.push(waiter);
    });
  }
}
