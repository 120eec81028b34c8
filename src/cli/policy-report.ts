/**
 * `npm run policy:report -- [--sqlite FILE | --pg URL [--schema S]] [--policy KEY] [--bootstrap N] [--seed N] [--json]`
 * Reads a policy's decision log and prints the off-policy report (src/rl/policy-report.ts). Without a flag it reads
 * the store the server uses: POLICY_STORE_URL, else DATA_DIR/policy.sqlite.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { buildPolicyReport, formatPolicyReport } from '../rl/policy-report.js';
import { POLICY_SQLITE_FILE } from '../rl/store/create-policy-store.js';
import { createPgPolicyStore } from '../rl/store/pg-policy-store.js';
import type { PolicyEvent, PolicyStore } from '../rl/store/policy-store.js';
import { createSqlitePolicyStore } from '../rl/store/sqlite-policy-store.js';

const { values: args } = parseArgs({
  options: {
    sqlite: { type: 'string' },
    pg: { type: 'string' },
    schema: { type: 'string' },
    policy: { type: 'string' },
    bootstrap: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
  },
});

function openStore(): PolicyStore {
  if (args.pg !== undefined) return createPgPolicyStore({ connectionString: args.pg, schema: args.schema });
  if (args.sqlite === undefined) {
    const config = loadConfig();
    if (config.policy.storeUrl !== undefined) return createPgPolicyStore({ connectionString: config.policy.storeUrl, schema: args.schema });
    return openSqlite(path.join(config.dataDir, POLICY_SQLITE_FILE));
  }
  return openSqlite(path.resolve(args.sqlite));
}

function openSqlite(filePath: string): PolicyStore {
  if (!fs.existsSync(filePath)) throw new Error(`no policy log at ${filePath}`);
  return createSqlitePolicyStore({ filePath });
}

async function readAll(store: PolicyStore): Promise<PolicyEvent[]> {
  const events: PolicyEvent[] = [];
  for (;;) {
    const page = await store.eventsAfter(events.at(-1)?.id ?? 0, 5000);
    events.push(...page);
    if (page.length < 5000) return events;
  }
}

async function main(): Promise<void> {
  const store = openStore();
  try {
    const policies = await store.listPolicies();
    const meta = args.policy === undefined ? policies.at(-1) : policies.find((p) => p.policyKey === args.policy);
    if (meta === undefined) throw new Error(`no policy ${args.policy ?? ''} in the store (known: ${policies.map((p) => p.policyKey).join(', ') || 'none'})`);
    await store.open(meta);
    const report = buildPolicyReport({ meta, events: await readAll(store), bootstrapSamples: Number(args.bootstrap), seed: Number(args.seed) });
    process.stdout.write(`${args.json ? JSON.stringify(report, null, 2) : formatPolicyReport(report)}\n`);
  } finally {
    await store.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`policy:report: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
