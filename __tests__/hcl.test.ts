import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { LocalBackend, NamedRemoteWorkspace, RemoteBackend, TerraformStack } from 'cdktf';
import { generateConfig } from '../lib/config/generate';
import { generatedPipeline } from './support/configs';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../lib/config/load';
import { canonical, HclSynthesisError, parseHcl } from '../lib/hcl/equivalence';
import { repairHcl } from '../lib/hcl/repair';
import { synthesizeAtomically, synthesizeHclAtomically } from '../lib/synth';
import { buildStacks } from '../main';
import { config, exampleConfig, synthesize, synthesizeHcl } from './support/synth';

const terraformInstalled = spawnSync('terraform', ['version'], { env: { ...process.env, CHECKPOINT_DISABLE: '1' } }).status === 0;

/** Every configuration file of the project: config/*.yaml and config/examples/*.yaml. */
function configurationFiles(): string[] {
  return ['config', 'config/examples']
    .filter((dir) => existsSync(dir))
    .flatMap((dir) => readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => path.join(dir, f)))
    .sort();
}

function outdir(prefix: string): string {
  return path.join(mkdtempSync(path.join(tmpdir(), prefix)), 'cdktf.out');
}

describe('repairing cdktf HCL', () => {
  it('turns a quoted provider meta-argument into a reference, but leaves attributes named provider alone', () => {
    const hcl = repairHcl(
      [
        'resource "aws_codepipeline" "p" {',
        'stage {',
        'action {',
        'provider = "S3"',
        '}',
        '}',
        'provider = "aws.pipeline"',
        '}',
        'data "tfe_outputs" "o" {',
        'provider = "tfe"',
        '}',
      ].join('\n'),
    );
    expect(hcl).toContain('      provider = "S3"\n');
    expect(hcl).toContain('  provider = aws.pipeline\n');
    expect(hcl).toContain('  provider = tfe\n');
  });

  it('unquotes depends_on entries', () => {
    expect(repairHcl('resource "a" "b" {\ndepends_on = [\n"aws_s3_bucket.x",\n]\n}')).toBe(
      'resource "a" "b" {\n  depends_on = [\n    aws_s3_bucket.x,\n  ]\n}\n',
    );
  });

  it('writes the workspaces of backend "remote" as a block, which terraform init accepts (terraform-cdk#3698)', () => {
    const hcl = repairHcl('terraform {\nbackend "remote" {\norganization = "acme"\nworkspaces = {\nname = "ws"\n}\n}\n}');
    expect(hcl).toBe('terraform {\n  backend "remote" {\n    organization = "acme"\n    workspaces {\n      name = "ws"\n    }\n  }\n}\n');
    // A remote-state data source keeps its workspaces object: there it is an argument.
    const data = 'data "terraform_remote_state" "r" {\n  backend = "remote"\n  config = {\n    workspaces = {\n      name = "ws"\n    }\n  }\n}\n';
    expect(repairHcl(data)).toBe(data);
  });

  it('unwraps interpolation-only strings, but not templates with text around them, nor object keys', () => {
    const hcl = repairHcl(
      'resource "a" "b" {\nx = "${aws_s3_bucket.b.arn}"\ny = "${aws_s3_bucket.b.arn}/*"\nz = ["${var.a}", "${var.b}"]\nm = {\n"${var.k}" = "v"\n}\n}',
    );
    expect(hcl).toContain('x = aws_s3_bucket.b.arn\n');
    expect(hcl).toContain('y = "${aws_s3_bucket.b.arn}/*"\n');
    expect(hcl).toContain('z = [var.a, var.b]\n');
    expect(hcl).toContain('"${var.k}" = "v"');
  });

  it('puts one blank line between top-level blocks, drops empty settings blocks and piled-up blank lines', () => {
    const messy = '\n\nterraform {\n\nrequired_providers {\n}\n\n\n}\nprovider "aws" {\nregion = "x"\n\n\nalias = "y"\n}\n\n\n';
    expect(repairHcl(messy)).toBe('terraform {\n}\n\nprovider "aws" {\n  region = "x"\n\n  alias = "y"\n}\n');
  });

  it('changes nothing in HCL it repaired before', async () => {
    const hcl = readFileSync(path.join(await synthesizeHcl(exampleConfig()), 'stacks', 'webapp-pipeline', 'cdk.tf'), 'utf8');
    expect(repairHcl(hcl)).toBe(hcl);
  });
});

describe('comparing HCL with the JSON synth', () => {
  it('ignores only how the two syntaxes write the same thing', () => {
    const json = { resource: { a: { b: { '//': { metadata: {} }, provider: 'aws.x', depends_on: ['a.c'], lifecycle: { prevent_destroy: true }, v: '${jsonencode({"k" = 1})}' } } } };
    const hcl = { resource: { a: { b: [{ provider: '${aws.x}', depends_on: ['${a.c}'], lifecycle: [{ prevent_destroy: true }], v: '${jsonencode({ "k" = 1 })}' }] } } };
    expect(canonical(hcl)).toEqual(canonical(json));
  });

  it('still tells apart values that differ', () => {
    const json = { resource: { a: { b: { name: 'x y', list: ['1', '2'] } } } };
    expect(canonical({ resource: { a: { b: [{ name: 'xy', list: ['1', '2'] }] } } })).not.toEqual(canonical(json));
    expect(canonical({ resource: { a: { b: [{ name: 'x y', list: ['2', '1'] }] } } })).not.toEqual(canonical(json));
    expect(canonical({ resource: { a: { b: [{ name: 'x y', list: ['1', '2'], extra: true }] } } })).not.toEqual(canonical(json));
  });
});

const configurations: Array<[string, ReturnType<typeof config>]> = [
  // The example is the object other tests synthesize too, so its synth is shared.
  ...configurationFiles().map((file): [string, ReturnType<typeof config>] => [
    file,
    file === DEFAULT_CONFIG_FILE ? exampleConfig() : loadConfig({ PIPELINE_CONFIG: file }).config,
  ]),
  [
    'Terraform Cloud with terraform_remote_state on Terraform Enterprise',
    config({ ...generatedPipeline(2), backend: { type: 'terraform-cloud', organization: 'acme', hostname: 'tfe.example.com', outputs: 'remote_state' } }),
  ],
];

describe.each(configurations)('the HCL synth of %s', (_label, cfg) => {
  const json = synthesize(cfg);
  let out: string;
  beforeAll(async () => {
    out = await synthesizeHcl(cfg);
  });
  const hclOf = (stack: string) => readFileSync(path.join(out, 'stacks', stack, 'cdk.tf'), 'utf8');

  it('writes a cdk.tf (and no cdk.tf.json) for every stack of the JSON synth, with the same apply order', () => {
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stacks).sort()).toEqual(Object.keys(json.stacks).sort());
    for (const stack of Object.keys(json.stacks)) {
      expect(readdirSync(path.join(out, 'stacks', stack)).sort()).toEqual(['cdk.tf', 'metadata.json']);
    }
    expect(JSON.parse(readFileSync(path.join(out, 'apply-order.json'), 'utf8'))).toEqual(json.applyOrder);
  });

  it('parses with a real HCL parser to the same configuration as the JSON synth', async () => {
    for (const [stack, synthesized] of Object.entries(json.stacks)) {
      const parsed = await parseHcl(`${stack}.tf`, hclOf(stack));
      expect({ stack, hcl: canonical(parsed) }).toEqual({ stack, hcl: canonical(synthesized) });
    }
  });

  it('refers to providers and dependencies as references, never as quoted strings', async () => {
    let references = 0;
    for (const stack of Object.keys(json.stacks)) {
      const hcl = hclOf(stack);
      expect(hcl).not.toMatch(/^ {2}provider\s*=\s*"/m);
      const parsed = await parseHcl(`${stack}.tf`, hcl);
      for (const kind of ['resource', 'data']) {
        for (const byName of Object.values<any>(parsed[kind] ?? {})) {
          for (const [body] of Object.values<any>(byName)) {
            if (body.provider === undefined) continue;
            expect(body.provider).toMatch(/^\$\{(aws|tfe)(\.[\w-]+)?\}$/);
            for (const dependency of body.depends_on ?? []) expect(dependency).toMatch(/^\$\{[\w.-]+\}$/);
            references++;
          }
        }
      }
    }
    expect(references).toBeGreaterThan(20);
  });

  (terraformInstalled ? it : it.skip)('is terraform fmt clean, stacks and hand-off alike', () => {
    const fmt = spawnSync('terraform', ['fmt', '-check', '-recursive', '-list=true', out], {
      encoding: 'utf8',
      env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: '/dev/null' },
    });
    expect({ status: fmt.status, unformatted: fmt.stdout }).toEqual({ status: 0, unformatted: '' });
  });
});

describe('the HCL synth', () => {
  it('replaces an earlier JSON synth whole, so no cdk.tf.json is left beside cdk.tf', async () => {
    const out = outdir('hcl-over-json-');
    synthesizeAtomically(out, (app) => buildStacks(app, exampleConfig()));
    expect(readdirSync(path.join(out, 'stacks', 'webapp-pipeline'))).toEqual(['cdk.tf.json']);
    await synthesizeHclAtomically(out, (app) => buildStacks(app, exampleConfig()));
    const files = readdirSync(path.join(out, 'stacks'), { recursive: true }) as string[];
    expect(files.filter((f) => f.endsWith('.tf.json'))).toEqual([]);
    expect(files.filter((f) => f.endsWith('cdk.tf'))).toHaveLength(13);
  });

  it('writes nothing, and keeps the earlier output, when a token sits inside a serialized string (terraform-cdk#3911)', async () => {
    const out = outdir('hcl-3911-');
    synthesizeAtomically(out, (app) => buildStacks(app, exampleConfig()));
    const before = readFileSync(path.join(out, 'manifest.json'), 'utf8');
    const attempt = synthesizeHclAtomically(out, (app) => {
      const stack = new TerraformStack(app, 'serialized');
      new LocalBackend(stack, { path: 'serialized.tfstate' });
      const provider = new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
      const bucket = new S3Bucket(stack, 'bucket', { provider, bucket: 'b' });
      new IamPolicy(stack, 'policy', {
        provider,
        name: 'p',
        // What the codebase forbids: a policy serialized with a token inside it.
        policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `${bucket.arn}/*` }] }),
      });
    });
    await expect(attempt).rejects.toThrow(HclSynthesisError);
    await expect(attempt).rejects.toThrow(/stack serialized: cdktf's HCL cannot be used/);
    expect(readFileSync(path.join(out, 'manifest.json'), 'utf8')).toBe(before);
    expect(readdirSync(path.dirname(out))).toEqual(['cdktf.out']);
  });

  it('keeps the remote backend usable by terraform init (terraform-cdk#3698)', async () => {
    const out = outdir('hcl-remote-');
    await synthesizeHclAtomically(out, (app) => {
      const stack = new TerraformStack(app, 'remote');
      new RemoteBackend(stack, { organization: 'acme', workspaces: new NamedRemoteWorkspace('ws') });
    });
    expect(readFileSync(path.join(out, 'stacks', 'remote', 'cdk.tf'), 'utf8')).toBe(
      'terraform {\n  backend "remote" {\n    organization = "acme"\n    workspaces {\n      name = "ws"\n    }\n  }\n}\n',
    );
  });

  it('writes the same bytes twice from the same configuration', async () => {
    const first = await synthesizeHcl(exampleConfig());
    const second = outdir('hcl-twice-');
    await synthesizeHclAtomically(second, (app) => buildStacks(app, exampleConfig()));
    const files = (dir: string) =>
      (readdirSync(dir, { recursive: true }) as string[])
        .filter((f) => f.includes('.'))
        .sort()
        .map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]);
    expect(files(second)).toEqual(files(first));
  });
});

describe('an approval comment', () => {
  it('is one line without backslashes or template sequences, which would not survive the HCL output', () => {
    const raw: any = generateConfig(2);
    raw.pipelines[0].targets[1].approval = { comment: 'C:\\releases' };
    expect(() => config(raw)).toThrow(/pipelines\[0\]\.targets\[1\]\.approval\.comment: must be one line without backslashes/);
  });
});
