/**
 * Runs `run` at most once every `intervalMs`: a request after a quiet spell runs at once,
 * requests within the interval are folded into one that runs when it is over (the last change
 * always arrives). `flush` runs it now, whatever is pending (a change a person must see at once).
 */
export interface Throttle {
  request(): void;
  flush(): void;
  cancel(): void;
}

export function throttle(run: () => void, intervalMs: number, now: () => number = () => performance.now()): Throttle {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = -Infinity;
  const fire = () => {
    timer = undefined;
    last = now();
    run();
  };
  return {
    request() {
      if (timer) return;
      const wait = intervalMs - (now() - last);
      if (wait <= 0) fire();
      else timer = setTimeout(fire, wait);
    },
    flush() {
      clearTimeout(timer);
      fire();
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
