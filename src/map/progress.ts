/**
 * A progress bar on a terminal (standard error), for long lists. Redrawn at most every 100 ms; a
 * no-op when the stream is not a terminal, so logs and pipes stay clean.
 */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

export interface Progress {
  update(p: { phase: string; done: number; total: number }): void;
  done(): void;
}

/** Bar on `stream` when it is a terminal and the list has at least `minItems` entries. */
export function progressBar(stream: ProgressStream, items: number, minItems = 200, now = Date.now): Progress {
  if (!stream.isTTY || items < minItems) return { update() {}, done() {} };
  let last = 0;
  let drawn = false;
  return {
    update({ phase, done, total }) {
      const t = now();
      if (t - last < 100 && done < total) return;
      last = t;
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 40));
      const frac = total ? done / total : 1;
      const fill = Math.round(frac * width);
      stream.write(
        `\r${phase.padEnd(4)} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${String(Math.floor(frac * 100)).padStart(3)}% ${done}/${total}\x1b[K`,
      );
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
