// Polling with backoff: quick at first (processing a short clip takes seconds), slower while
// nothing changes, quick again after a change; stops when told or when nothing needs it.

export class Poller {
  /**
   * `tick()` does one round and resolves to "changed", "same" or "done".
   * Delays grow from `first` by `factor` up to `max` milliseconds while rounds are "same".
   */
  constructor(tick, { first = 1000, factor = 1.5, max = 15000 } = {}) {
    this.tick = tick;
    this.first = first;
    this.factor = factor;
    this.max = max;
    this.delay = first;
    this.timer = null;
    this.stopped = true;
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.delay = this.first;
    this.schedule();
  }

  /** Poll again soon (after a change the user made). */
  kick() {
    this.delay = this.first;
    if (this.stopped) {
      this.start();
    } else {
      clearTimeout(this.timer);
      this.schedule();
    }
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = null;
  }

  schedule() {
    this.timer = setTimeout(() => this.round(), this.delay);
  }

  async round() {
    if (this.stopped) return;
    let outcome = "same";
    try {
      outcome = await this.tick();
    } catch (error) {
      console.warn("poll failed", error);
    }
    if (this.stopped) return;
    if (outcome === "done") {
      this.stopped = true;
      return;
    }
    this.delay = outcome === "changed" ? this.first : Math.min(this.max, this.delay * this.factor);
    this.schedule();
  }
}
