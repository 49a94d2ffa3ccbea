import { parseArgs } from 'node:util';
import { ConfigError, DEFAULT_CONFIG_FILE, loadConfig } from './config/load';
import type { PlatformConfig } from './config/schema';

/**
 * The command line shared by every entry point (synth, HCL synth, verify,
 * diagram, diff, cost, bench, upgrade-config): Node's `util.parseArgs`,
 * `--help` with usage and examples, unknown arguments refused with the usage
 * (exit 2).
 *
 * Exit codes of every command: 0 success, 1 the command ran and failed (a
 * refused configuration, a failed proof), 2 a usage error.
 */

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** The value's placeholder in the usage: `<file|dir>`. */
  value?: string;
  description: string;
  /** The only values a string option takes. */
  choices?: readonly string[];
}

/** A positional argument: `<file>`, or `[platform name]` when optional. */
export interface ArgumentSpec {
  name: string;
  description: string;
  optional?: boolean;
}

export interface CommandSpec {
  /** How a user runs it: `npm run verify --`, `node dist/main.js`. */
  command: string;
  /** The prefix of its error messages (`diff: ...`); default: the command without ` --`. */
  name?: string;
  /** One line: what it does. */
  summary: string;
  /** Positional arguments, in order; optional ones after required ones. Without it, none is accepted. */
  arguments?: ArgumentSpec[];
  /** Options besides --help. */
  options: Record<string, OptionSpec>;
  /** Environment variables it reads, with what they mean. */
  environment?: Array<[string, string]>;
  /** Command lines with a comment each. */
  examples: Array<[string, string]>;
  /** Paragraphs after the options (exit codes, notes). */
  notes?: string[];
}

/** The options that read a configuration and write or read an output directory. */
export const CONFIG_OPTION: OptionSpec = {
  type: 'string',
  short: 'c',
  value: '<file|dir>',
  description: `the configuration: a YAML file, or a directory with platform.yaml and pipelines/ (default: PIPELINE_CONFIG, else ${DEFAULT_CONFIG_FILE})`,
};
export const OUT_OPTION: OptionSpec = {
  type: 'string',
  short: 'o',
  value: '<dir>',
  description: 'the output directory (default: CDKTF_OUTDIR, else cdktf.out)',
};
export const CONFIG_ENVIRONMENT: Array<[string, string]> = [
  ['PIPELINE_CONFIG', 'the configuration when --config is not given; set but empty is an error'],
  ['CDKTF_OUTDIR', 'the output directory when --out is not given (the cdktf CLI sets it); set but empty is an error'],
];

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** A command line that cannot be run; printed with the usage, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type Values = Record<string, string | boolean | undefined>;

/** Words of `text` in lines of at most `width` characters. */
function wrap(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

/** The usage text of `--help`; `brief`: only the usage line and the options, for a usage error. */
export function usage(spec: CommandSpec, brief = false): string {
  const options: Array<[string, string]> = [
    ...Object.entries(spec.options).map(([name, o]): [string, string] => [
      `${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` ${o.value}` : ''}`,
      o.description + (o.choices ? ` (${o.choices.join(', ')})` : ''),
    ]),
    ['-h, --help', 'print this help and exit'],
  ];
  const args = (spec.arguments ?? []).map((a): [string, string] => [a.optional ? `[${a.name}]` : `<${a.name}>`, a.description]);
  const width = Math.max(...[...options, ...args].map(([left]) => left.length));
  const line = [`Usage: ${spec.command} [options]`, ...args.map(([left]) => left)].join(' ');
  const out = [line, ...(brief ? [] : ['', ...wrap(spec.summary)])];
  if (args.length > 0) {
    out.push('', 'Arguments:');
    for (const [left, right] of args) out.push(`  ${left.padEnd(width)}  ${right}`);
  }
  out.push('', 'Options:');
  for (const [left, right] of options) out.push(`  ${left.padEnd(width)}  ${right}`);
  if (brief) return `${out.join('\n')}\n\nRun with --help for the environment and examples.\n`;
  if (spec.environment && spec.environment.length > 0) {
    const envWidth = Math.max(...spec.environment.map(([name]) => name.length));
    out.push('', 'Environment:');
    for (const [name, text] of spec.environment) out.push(`  ${name.padEnd(envWidth)}  ${text}`);
  }
  out.push('', 'Examples:');
  for (const [line, comment] of spec.examples) out.push(`  ${line}`, `      ${comment}`);
  for (const note of spec.notes ?? []) out.push('', ...wrap(note));
  return `${out.join('\n')}\n`;
}

/**
 * The values of a command line, positional arguments under their names;
 * throws UsageError on an unknown option, a positional argument the command
 * does not take (or a missing one), a missing or unknown value.
 */
export function parseCommandLine(spec: CommandSpec, argv: string[]): Values & { help?: boolean } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, o] of Object.entries(spec.options)) options[name] = { type: o.type, ...(o.short ? { short: o.short } : {}) };
  let values: Values;
  let positionals: string[];
  const args = spec.arguments ?? [];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options, strict: true, allowPositionals: args.length > 0 }));
  } catch (error) {
    // parseArgs' messages name the argument ("Unknown option '--x'"); its hints about `--` do not apply here.
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument starting with a '-'.*$/s, '').replace(/\s+$/, ''));
  }
  if (values.help) return { help: true };
  if (positionals.length > args.length) throw new UsageError(`Unexpected argument '${positionals[args.length]}'`);
  const missing = args.find((a, i) => !a.optional && positionals[i] === undefined);
  if (missing) throw new UsageError(`<${missing.name}> is missing`);
  values = { ...values };
  args.forEach((a, i) => {
    if (positionals[i] === '') throw new UsageError(`<${a.name}> is empty`);
    if (positionals[i] !== undefined) values[a.name] = positionals[i];
  });
  for (const [name, o] of Object.entries(spec.options)) {
    const value = values[name];
    if (typeof value !== 'string') continue;
    if (value === '') throw new UsageError(`--${name} needs a value`);
    if (o.choices && !o.choices.includes(value)) throw new UsageError(`--${name} must be one of ${o.choices.join(', ')}, got "${value}"`);
  }
  return values;
}

/** A configuration chosen by --config, PIPELINE_CONFIG, or the example when neither is set. */
export interface ChosenConfig {
  file: string;
  /** Neither --config nor PIPELINE_CONFIG: the example. */
  example: boolean;
}

/**
 * --config, else PIPELINE_CONFIG, else the example. An empty PIPELINE_CONFIG
 * is refused rather than read as unset: it is what a script with a misspelt
 * or unset variable passes (`PIPELINE_CONFIG=$CONFIG`), and synthesizing the
 * example then would replace that user's output without a word.
 */
export function chooseConfig(values: Values, env: NodeJS.ProcessEnv): ChosenConfig {
  if (typeof values.config === 'string') return { file: values.config, example: false };
  const fromEnv = env.PIPELINE_CONFIG;
  if (fromEnv !== undefined) {
    if (fromEnv === '') throw new UsageError('PIPELINE_CONFIG is set but empty: name a configuration, or unset it to use the example');
    return { file: fromEnv, example: false };
  }
  return { file: DEFAULT_CONFIG_FILE, example: true };
}

/**
 * The chosen configuration, loaded: says in one line when it is the example,
 * and reports a refused configuration on `io.err` (undefined then; the caller
 * exits with EXIT_FAILED). Other errors are not the user's and propagate.
 */
export function loadChosenConfig(
  values: Values,
  env: NodeJS.ProcessEnv,
  io: Io,
): { chosen: ChosenConfig; file: string; config: PlatformConfig } | undefined {
  const chosen = chooseConfig(values, env);
  const notice = exampleNotice(chosen);
  if (notice) io.err(notice);
  try {
    return { chosen, ...loadConfig({ PIPELINE_CONFIG: chosen.file }) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(error.message);
    return undefined;
  }
}

/** --out, else CDKTF_OUTDIR (refused when empty, like PIPELINE_CONFIG), else cdktf.out. */
export function chooseOutdir(values: Values, env: NodeJS.ProcessEnv): string {
  if (typeof values.out === 'string') return values.out;
  const fromEnv = env.CDKTF_OUTDIR;
  if (fromEnv !== undefined) {
    if (fromEnv === '') throw new UsageError('CDKTF_OUTDIR is set but empty: name a directory, or unset it to use cdktf.out');
    return fromEnv;
  }
  return 'cdktf.out';
}

/** The one line that says the example is used, for standard error. */
export function exampleNotice(chosen: ChosenConfig): string | undefined {
  return chosen.example ? `No --config and no PIPELINE_CONFIG: using the example, ${chosen.file}.` : undefined;
}

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Standard output, and standard error through console.error (one call per message, as tests capture it). */
export const processIo: Io = {
  out: (text) => void process.stdout.write(text),
  err: (text) => console.error(text.replace(/\n$/, '')),
};

/**
 * Runs a command: `--help` prints the usage (exit 0); a usage error prints
 * the message and the usage on standard error (exit 2); otherwise the body's
 * exit code. Errors the body does not expect are reported in one line, not as
 * a stack trace (exit 1).
 */
export async function runCommand(
  spec: CommandSpec,
  argv: string[],
  body: (values: Values) => number | Promise<number>,
  io: Io = processIo,
): Promise<number> {
  let values: Values & { help?: boolean };
  try {
    values = parseCommandLine(spec, argv);
    if (values.help) {
      io.out(usage(spec));
      return EXIT_OK;
    }
    return await body(values);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${spec.name ?? spec.command.replace(/ --$/, '')}: ${error.message}\n\n${usage(spec, true)}`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

/**
 * Ends the process quietly when standard output is closed early (`npm run
 * verify | head`): without a listener Node reports EPIPE as an unhandled
 * error with a stack trace.
 */
export function quietOnClosedPipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

/** Runs `main` as the process's command: sets the exit code, and reports an unexpected error in one line. */
export function runAsProcess(main: () => Promise<number>): void {
  quietOnClosedPipe();
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: Error) => {
      console.error(error.message);
      process.exitCode = EXIT_FAILED;
    },
  );
}
