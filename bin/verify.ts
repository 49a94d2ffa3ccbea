import { loadConfig } from '../lib/config/load';
import { formatNextSteps } from '../lib/next-steps';
import { formatReport } from '../lib/verify/report';
import { readSynthesized } from '../lib/verify/synthesized';
import { verifyAccess } from '../lib/verify/verify';

// Proves the access paths of the synthesized stacks (CDKTF_OUTDIR, default cdktf.out) for PIPELINE_CONFIG.
async function main(): Promise<number> {
  const { file, config } = loadConfig(process.env);
  const outdir = process.env.CDKTF_OUTDIR || 'cdktf.out';
  const verification = await verifyAccess(readSynthesized(outdir), config);
  process.stdout.write(`Access proof of ${outdir} for ${file}\n\n${formatReport(verification)}`);
  process.stdout.write(formatNextSteps(config));
  return verification.ok ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (error: Error) => {
    console.error(error.message);
    process.exitCode = 1;
  },
);
