/**
 * Typed errors with stable codes. Tests assert on `code`, never on the message.
 * `InputError` is bad input from a user (config, scenario, arguments): the CLI exits 2.
 */
export class VigieError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'VigieError';
  }
}

/** One problem in an input file, located as `file:line: field: message`. */
export interface InputProblem {
  file: string;
  line: number;
  field: string;
  message: string;
}

export class InputError extends VigieError {
  constructor(readonly problems: InputProblem[]) {
    super('VIGIE_INVALID_INPUT', problems.map(formatProblem).join('\n'));
    this.name = 'InputError';
  }
}

export function formatProblem(p: InputProblem): string {
  return `${p.file}:${p.line}: ${p.field}: ${p.message}`;
}

/** Bad command-line usage: exit 2. */
export class UsageError extends VigieError {
  constructor(message: string) {
    super('VIGIE_USAGE', message);
    this.name = 'UsageError';
  }
}
