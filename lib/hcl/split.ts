import { layout, NEWLINE } from './repair';
import { lines, type Token, tokenize } from './tokenize';

export interface SplitConfiguration {
  /** `terraform { backend ... }` or `terraform { cloud ... }`; empty when there is none. */
  backend: string;
  /** The rest of the `terraform` block: required providers and versions. */
  versions: string;
  /** Providers, resources, data sources, outputs. */
  main: string;
}

/**
 * Splits one stack's HCL into the files a Terraform team expects:
 * backend.tf, versions.tf and main.tf. Terraform merges `terraform` blocks
 * across the files of a directory, so the three mean what the one did.
 */
export function splitConfiguration(hcl: string): SplitConfiguration {
  const backend: Token[][] = [];
  const versions: Token[][] = [];
  const main: Token[][] = [];
  let depth = 0;
  let inTerraform = false;
  let inBackend = false;
  for (const row of lines(tokenize(hcl))) {
    const startDepth = depth;
    depth += row.reduce((n, t) => n + (t.type === 'punct' ? braceChange[t.text] ?? 0 : 0), 0);
    if (startDepth === 0 && row[0]?.type === 'ident' && row[0].text === 'terraform') inTerraform = true;
    if (!inTerraform) {
      main.push(row);
      continue;
    }
    if (startDepth === 1 && row[0]?.type === 'ident' && (row[0].text === 'backend' || row[0].text === 'cloud')) inBackend = true;
    if (startDepth >= 1 && depth >= 1) (inBackend ? backend : versions).push(row);
    if (inBackend && depth === 1) inBackend = false;
    if (depth === 0) inTerraform = false;
  }
  return { backend: terraformBlock(backend), versions: terraformBlock(versions), main: render(main) };
}

const braceChange: Record<string, number> = { '{': 1, '}': -1 };

function terraformBlock(rows: Token[][]): string {
  if (rows.length === 0) return '';
  return render([[{ type: 'ident', text: 'terraform' }, { type: 'punct', text: '{' }], ...rows, [{ type: 'punct', text: '}' }]]);
}

function render(rows: Token[][]): string {
  return layout(rows.flatMap((row, i) => (i > 0 ? [NEWLINE, ...row] : row)));
}
