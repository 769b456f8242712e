/**
 * Exit codes and the error that ends a command with one. Kept apart from common.ts so the
 * entry point can print help and reject bad usage without loading the engine.
 */
export const EXIT = {
  ok: 0,
  /** The run failed (or a command's target is in a failed state). */
  failed: 1,
  /** Bad input: unknown command or option, invalid file, unknown run or node. */
  usage: 2,
  /** Interrupted by Ctrl-C (128 + SIGINT). */
  interrupted: 130,
} as const;

/** An error that ends the command with a message and an exit code (no stack trace). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
