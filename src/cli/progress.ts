/**
 * A one-line progress bar on stderr: percent, words/s, alpha, loss and ETA. On a terminal it redraws in place;
 * otherwise (CI logs, pipes) it prints a line every 10 %, so logs stay readable.
 */
export class ProgressBar {
  private lastPct = -1;
  private readonly tty: boolean;
  private readonly t0 = Date.now();
  constructor(private label: string, private stream: NodeJS.WriteStream = process.stderr, private quiet = false) {
    this.tty = !!stream.isTTY;
  }

  update(progress: number, fields: Record<string, string | number | undefined> = {}): void {
    if (this.quiet || progress < 0.005) return;
    const pct = Math.max(0, Math.min(100, progress * 100));
    const elapsed = (Date.now() - this.t0) / 1000;
    const eta = progress > 0 ? elapsed * (1 - progress) / progress : NaN;
    const parts = Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]) => `${k} ${v}`);
    parts.push(`ETA ${fmtTime(eta)}`);
    if (this.tty) {
      const width = 24;
      const fill = Math.round((pct / 100) * width);
      this.stream.write(`\r${this.label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${pct.toFixed(1).padStart(5)}%  ${parts.join('  ')}\x1b[K`);
    } else if (Math.floor(pct / 10) > Math.floor(this.lastPct / 10) || this.lastPct < 0) {
      this.stream.write(`${this.label} ${pct.toFixed(0).padStart(3)}%  ${parts.join('  ')}\n`);
    }
    this.lastPct = pct;
  }

  done(message?: string): void {
    if (this.quiet) return;
    if (this.tty) this.stream.write('\r\x1b[K');
    if (message) this.stream.write(message + '\n');
  }
}

export function fmtTime(sec: number): string {
  if (!Number.isFinite(sec)) return '--:--';
  const s = Math.round(sec);
  const m = Math.floor(s / 60);
  return `${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export function fmtRate(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(0);
}
