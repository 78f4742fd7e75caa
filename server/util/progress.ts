/**
 * Console progress for long start-up steps: which step, how far, how long so far.
 * On a terminal the current line is rewritten; elsewhere (CI, logs) a line is printed at most every 5 s.
 */
export interface Step {
  update(detail: string): void;
  done(detail?: string): void;
  fail(detail?: string): void;
}

export class Progress {
  private n = 0;
  constructor(
    private readonly total: number,
    private readonly out: NodeJS.WriteStream = process.stdout,
    private readonly quiet = false,
  ) {}

  step(title: string): Step {
    const index = ++this.n;
    const started = Date.now();
    const tty = Boolean(this.out.isTTY);
    let lastPrinted = 0;
    const prefix = `[${index}/${this.total}] ${title}`;
    const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
    const write = (line: string, final: boolean) => {
      if (this.quiet) return;
      if (tty) this.out.write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
      else this.out.write(`${line}\n`);
    };
    write(`${prefix} …`, !tty);
    return {
      update: (detail: string) => {
        const now = Date.now();
        if (!tty && now - lastPrinted < 5000) return;
        lastPrinted = now;
        write(`${prefix} … ${detail} (${elapsed()})`, !tty);
      },
      done: (detail?: string) => write(`${prefix} ✓${detail ? ` ${detail}` : ''} (${elapsed()})`, true),
      fail: (detail?: string) => write(`${prefix} ✗${detail ? ` ${detail}` : ''} (${elapsed()})`, true),
    };
  }
}

/** A step sink that prints nothing (tests, benchmarks). */
export const silentProgress = (total = 1) => new Progress(total, process.stdout, true);
