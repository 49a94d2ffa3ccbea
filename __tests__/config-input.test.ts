import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { ConfigError, loadConfig, parseConfig } from '../lib/config/load';
import { MAX_CONFIG_FILE_BYTES, MAX_YAML_ALIAS_COUNT } from '../lib/config/read';

const EXAMPLE = readFileSync('config/example.yaml', 'utf8');
const DIRECTORY_EXAMPLE = 'config/examples/platform-dir';

function scratch(): string {
  return mkdtempSync(path.join(tmpdir(), 'config-input-'));
}

/** The ConfigError of loading PIPELINE_CONFIG=file (or of parsing source as `file`). */
function refusal(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw new Error(`expected a ConfigError, got ${String((error as Error)?.stack ?? error)}`);
  }
  throw new Error('expected a ConfigError, but the configuration was accepted');
}

const loading = (file: string) => () => loadConfig({ PIPELINE_CONFIG: file });
const parsing = (source: string, file = 'platform.yaml') => () => parseConfig(source, file);

/** The example with one line replaced (the line must exist). */
function exampleWith(from: string, to: string): string {
  expect(EXAMPLE).toContain(from);
  return EXAMPLE.replace(from, to);
}

describe('configuration files are checked before they are read', () => {
  it(`refuses a file larger than ${MAX_CONFIG_FILE_BYTES} bytes`, () => {
    const file = path.join(scratch(), 'big.yaml');
    writeFileSync(file, `${EXAMPLE}\n#${'x'.repeat(MAX_CONFIG_FILE_BYTES)}\n`);
    const error = refusal(loading(file));
    expect(error.file).toBe(file);
    expect(error.problems).toEqual([{ path: '(file)', message: expect.stringMatching(/^is larger than 1048576 bytes \(1 MiB\), the limit for a configuration file/) }]);
  });

  it('refuses a pipeline file of a configuration directory larger than the limit, naming it', () => {
    const dir = path.join(scratch(), 'platform');
    cpSync(DIRECTORY_EXAMPLE, dir, { recursive: true });
    writeFileSync(path.join(dir, 'pipelines', 'big.yaml'), `#${'x'.repeat(MAX_CONFIG_FILE_BYTES)}\n`);
    const error = refusal(loading(dir));
    expect(error.problems).toEqual([{ file: 'pipelines/big.yaml', path: '(file)', message: expect.stringContaining('is larger than 1048576 bytes') }]);
  });

  // In a child process, so that a regression (a read that blocks or never ends) fails this test instead of hanging the suite.
  function loadInChild(file: string): { status: number | null; stdout: string; stderr: string } {
    // readConfigText is what loadConfig reads every file with (the rest of the loader is tested in process).
    const script = `try { require('./lib/config/read').readConfigText(${JSON.stringify(file)}); console.log('accepted') } catch (e) { console.log(JSON.stringify(e.problems ?? e.stack)) }`;
    const child = spawnSync(process.execPath, ['-r', 'ts-node/register', '-e', script], {
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_SWC: 'true' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: child.status, stdout: child.stdout, stderr: child.stderr };
  }

  it('refuses a FIFO without opening it for a blocking read (which would hang)', () => {
    const fifo = path.join(scratch(), 'config.yaml');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(loadInChild(fifo)).toEqual({
      status: 0,
      stdout: `${JSON.stringify([{ path: '(file)', message: 'is a FIFO (named pipe), not a regular file; refused before reading' }])}\n`,
      stderr: '',
    });
  }, 70_000);

  it('refuses a device such as /dev/zero (which never ends)', () => {
    expect(loadInChild('/dev/zero')).toEqual({
      status: 0,
      stdout: `${JSON.stringify([{ path: '(file)', message: 'is a device, not a regular file; refused before reading' }])}\n`,
      stderr: '',
    });
  }, 70_000);

  it('refuses a directory where a file is expected, naming the file of the configuration directory', () => {
    const dir = path.join(scratch(), 'platform');
    cpSync(DIRECTORY_EXAMPLE, dir, { recursive: true });
    mkdirSync(path.join(dir, 'pipelines', 'extra.yaml'));
    expect(refusal(loading(dir)).problems).toEqual([{ file: 'pipelines/extra.yaml', path: '(file)', message: 'is a directory, where a file is expected' }]);
  });

  it('refuses a file that is not UTF-8', () => {
    const file = path.join(scratch(), 'latin1.yaml');
    writeFileSync(file, Buffer.concat([Buffer.from(EXAMPLE), Buffer.from('# caf\xe9\n', 'latin1')]));
    expect(refusal(loading(file)).problems).toEqual([{ path: '(file)', message: 'is not UTF-8 text' }]);
  });
});

describe('a .json configuration is strict JSON', () => {
  const json = JSON.stringify(parse(EXAMPLE), null, 2);

  function jsonFile(text: string): string {
    const file = path.join(scratch(), 'platform.json');
    writeFileSync(file, text);
    return file;
  }

  it('accepts the example written as JSON', () => {
    expect(loadConfig({ PIPELINE_CONFIG: jsonFile(json) }).config.pipelines.map((p) => p.name)).toEqual(['webapp', 'api']);
  });

  it('refuses a trailing comma, with line, column and the line itself (YAML would have accepted it)', () => {
    const trailing = '{\n  "platform": {\n    "name": "acme",\n  },\n  "pipelines": []\n}\n';
    const refused = refusal(loading(jsonFile(trailing)));
    expect(refused.problems).toEqual([{ path: '(line 4, column 3)', message: expect.stringMatching(/^not strict JSON: .*\n {2}},\n {2}\^$/) }]);
    expect(refused.message).toContain('platform.json: 1 problem in the configuration');
  });

  it('refuses single quotes', () => {
    const refused = refusal(loading(jsonFile("{'platform': {}}")));
    expect(refused.problems).toEqual([{ path: '(line 1, column 2)', message: expect.stringMatching(/^not strict JSON: .*\n\{'platform': \{\}\}\n {1}\^$/) }]);
  });

  it('refuses a key given twice in one object', () => {
    const refused = refusal(loading(jsonFile('{"platform": {"name": "a", "name": "b"}, "pipelines": []}')));
    expect(refused.problems).toEqual([{ path: '(line 1, column 28)', message: 'a key appears twice in the same object' }]);
  });
});

describe('YAML is parsed with limits', () => {
  it('accepts anchors and aliases used to share a block', () => {
    const shared = exampleWith('    targets:\n      - name: staging', '    targets:\n      - &staging\n        name: staging');
    expect(parseConfig(shared).pipelines[0].targets[0].name).toBe('staging');
  });

  it('refuses an alias to an unknown anchor, naming its field and line', () => {
    expect(refusal(parsing(exampleWith('  name: acme\n', '  name: *nope\n'))).problems).toEqual([
      { path: 'platform.name (line 11)', message: 'alias *nope refers to no anchor &nope defined before it' },
    ]);
  });

  it('refuses an alias inside the anchor it refers to', () => {
    expect(refusal(parsing(exampleWith('  regions: [ap-northeast-1]', '  regions: &r [ap-northeast-1, *r]'))).problems).toEqual([
      { path: 'platform.regions[1] (line 21)', message: 'alias *r is inside the anchor &r it refers to, which would make it endless' },
    ]);
  });

  it(`refuses an alias bomb (aliases expanding more than ${MAX_YAML_ALIAS_COUNT} times)`, () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((n, i) => `${n}: &${n} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n');
    expect(refusal(parsing(bomb)).problems).toEqual([
      { path: '(document)', message: `its aliases expand too much (more than ${MAX_YAML_ALIAS_COUNT} references times aliases per anchor), as an alias bomb does` },
    ]);
  });

  it.each([['!foo'], ['!!binary'], ['!!set'], ['!!timestamp']])('refuses the unknown tag %s, with line and column', (tag) => {
    const problems = refusal(parsing(exampleWith('  name: acme\n', `  name: ${tag} acme\n`))).problems;
    expect(problems).toEqual([{ path: '(line 11, column 9)', message: expect.stringMatching(new RegExp(`^unknown YAML tag ${tag}: only the tags of YAML 1.2's core schema are read\n  name: ${tag} acme\n {8}\\^+$`)) }]);
  });
});

describe('messages', () => {
  it('a YAML syntax error shows its whole message with the line of code, the line and the column', () => {
    const error = refusal(parsing(exampleWith('  name: acme\n', '  name: acme: inc\n'), 'platform.yaml'));
    expect(error.problems[0]).toEqual({
      path: '(line 11, column 9)',
      message: 'Nested mappings are not allowed in compact mappings\n  name: acme: inc\n        ^',
    });
    expect(error.message).toContain('  - (line 11, column 9): Nested mappings are not allowed in compact mappings\n        name: acme: inc\n              ^');
  });

  it('a missing field "is required"', () => {
    expect(refusal(parsing(exampleWith('  name: acme\n', ''))).problems).toEqual([{ path: 'platform.name', message: 'is required' }]);
  });

  it('a missing field "is required" also where the schema words a wrong type its own way', () => {
    expect(refusal(parsing(exampleWith('    id: "111111111111"\n', ''))).problems).toEqual([{ path: 'platform.tooling.id', message: 'is required' }]);
  });

  it('a missing kind "is required", with the kinds there are', () => {
    expect(refusal(parsing(exampleWith('      kind: codecommit\n', ''))).problems).toEqual([
      { path: 'pipelines[0].source.kind', message: "is required, one of 'codecommit' | 'connection' | 's3'" },
    ]);
  });

  it('a misspelt required field is one problem, with the field it most likely means', () => {
    const text = exampleWith('      account: repos\n      name: webapp', '      acocunt: repos\n      name: webapp');
    expect(refusal(parsing(text)).problems).toEqual([{ path: 'pipelines[0].source.acocunt', message: 'unknown field; did you mean "account"?' }]);
  });

  it('a misspelt optional field suggests it too, from the kind the value names', () => {
    const text = exampleWith('          kind: s3\n          prefix: release/', '          kind: s3\n          prefx: release/');
    expect(refusal(parsing(text)).problems).toEqual([{ path: 'pipelines[0].targets[0].deploy.prefx', message: 'unknown field; did you mean "prefix"?' }]);
  });

  it('a field that resembles none lists the fields of its place', () => {
    const text = exampleWith('  regions: [ap-northeast-1]', '  regions: [ap-northeast-1]\n  colour: blue');
    expect(refusal(parsing(text)).problems).toEqual([
      { path: 'platform.colour', message: expect.stringMatching(/^unknown field; the fields here are accounts, .*, tooling/) },
    ]);
  });

  it('in a configuration directory, a misspelt field names the pipeline file and its path there', () => {
    const dir = path.join(scratch(), 'platform');
    cpSync(DIRECTORY_EXAMPLE, dir, { recursive: true });
    const file = path.join(dir, 'pipelines', 'api.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('  branch: main', '  brnach: main'));
    expect(refusal(loading(dir)).problems).toEqual([{ file: 'pipelines/api.yaml', path: 'source.brnach', message: 'unknown field; did you mean "branch"?' }]);
  });
});
