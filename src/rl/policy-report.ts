import { greedyArm } from './exploration.js';
import { createLinUcbModel, type LinUcbModel } from './linucb.js';
import { estimateDifference, estimateValue, type Interval, type LoggedStep, type PolicyValue } from './off-policy.js';
import type { PolicyEvent, PolicyMeta } from './store/policy-store.js';
import { DEFAULT_CLASS_ARM_TABLE, fixedPolicyArm } from './warm-start.js';

/**
 * The policy report behind `npm run policy:report`: from the decision log, the value of the learned policy, the
 * fixed class → arm table and the uniform policy (IPS, SNIPS, DR with CLT and bootstrap intervals), the paired
 * difference of each against the fixed table, and arm usage by error class.
 *
 * The learned policy is the greedy arm of a ridge model fitted on the rewards, and DR's reward model r̂ is that
 * model's mean clipped to [0, 1]. Both are cross-fitted on two folds (even/odd log positions): the model used on
 * an event never saw that event, so the learned policy is not credited for memorising its own log.
 */
export interface ReportInput {
  meta: PolicyMeta;
  events: readonly PolicyEvent[];
  table?: Readonly<Record<string, string>>;
  bootstrapSamples?: number;
  seed?: number;
}

export type ReportPolicy = 'logging' | 'learned' | 'fixed' | 'uniform';

export interface PolicyReport {
  policyKey: string;
  armNames: string[];
  decisions: number;
  rewarded: number;
  pending: number;
  relabels: number;
  values: { policy: ReportPolicy; value: PolicyValue }[];
  /** disagreement: mean probability the policy puts off the fixed table's arm. */
  versusFixed: { policy: 'learned' | 'uniform'; disagreement: number; ips: Interval; dr: Interval }[];
  usage: { errorClass: string; counts: number[]; meanReward: (number | null)[] }[];
}

interface Step extends LoggedStep {
  x: Float64Array;
  mask: boolean[];
  probabilities: number[];
  errorClass: string | undefined;
}

function toSteps(events: readonly PolicyEvent[], armCount: number): { steps: Step[]; decisions: PolicyEvent[] } {
  const rewards = new Map<string, number>();
  for (const e of events) if (e.kind === 'reward') rewards.set(e.decisionId, e.value ?? 0);
  const decisions = events.filter((e) => e.kind === 'decision');
  const steps: Step[] = [];
  for (const d of decisions) {
    const reward = rewards.get(d.decisionId);
    if (reward === undefined) continue;
    const probabilities = (d.payload.probabilities as number[] | undefined) ?? [];
    const mask = (d.payload.mask as boolean[] | undefined) ?? Array.from({ length: armCount }, () => true);
    const propensity = probabilities[d.armIndex] ?? 0;
    if (!(propensity > 0)) continue;
    steps.push({ armIndex: d.armIndex, reward, propensity, x: Float64Array.from(d.x), mask, probabilities, errorClass: errorClassOf(d) });
  }
  return { steps, decisions };
}

function errorClassOf(decision: PolicyEvent): string | undefined {
  const meta = decision.payload.meta as Record<string, unknown> | undefined;
  return typeof meta?.errorClass === 'string' ? meta.errorClass : undefined;
}

function crossFittedModels(steps: readonly Step[], meta: PolicyMeta): [LinUcbModel, LinUcbModel] {
  const lambda = typeof meta.config.lambda === 'number' ? meta.config.lambda : 1;
  const prior = (meta.config.prior ?? {}) as Record<string, number[]>;
  const priorTheta = meta.armNames.map((a) => (prior[a] === undefined ? undefined : Float64Array.from(prior[a])));
  const make = (): LinUcbModel => createLinUcbModel({ armCount: meta.armNames.length, d: meta.d, lambda, priorTheta });
  const models: [LinUcbModel, LinUcbModel] = [make(), make()];
  // why: model k is fitted on the other fold and used on fold k.
  steps.forEach((s, i) => models[1 - (i % 2)]?.update(s.armIndex, s.x, s.reward));
  return models;
}

const oneHot = (k: number, index: number): number[] => Array.from({ length: k }, (_, a) => (a === index ? 1 : 0));

export function buildPolicyReport(input: ReportInput): PolicyReport {
  const { meta } = input;
  const k = meta.armNames.length;
  const table = input.table ?? DEFAULT_CLASS_ARM_TABLE;
  const options = { bootstrapSamples: input.bootstrapSamples ?? 1000, seed: input.seed ?? 1 };
  const { steps, decisions } = toSteps(input.events, k);
  const models = crossFittedModels(steps, meta);
  const rhat = steps.map((s, i) => meta.armNames.map((_, a) => Math.min(1, Math.max(0, models[i % 2]!.estimate(a, s.x, 0).mean))));
  const learnedArm = steps.map((s, i) => greedyArm(rhat[i] ?? [], s.mask));
  const fixedArm = steps.map((s) => fixedPolicyArm(s.errorClass, meta.armNames, s.mask, table));
  const pi: Record<ReportPolicy, number[][]> = {
    logging: steps.map((s) => s.probabilities),
    learned: learnedArm.map((a) => oneHot(k, a)),
    fixed: fixedArm.map((a) => oneHot(k, a)),
    uniform: steps.map((s) => {
      const m = s.mask.filter(Boolean).length;
      return s.mask.map((f) => (f ? 1 / m : 0));
    }),
  };
  const policies: ReportPolicy[] = ['logging', 'learned', 'fixed', 'uniform'];
  return {
    policyKey: meta.policyKey,
    armNames: meta.armNames,
    decisions: decisions.length,
    rewarded: steps.length,
    pending: decisions.length - input.events.filter((e) => e.kind === 'reward').length,
    relabels: input.events.filter((e) => e.kind === 'relabel').length,
    values: policies.map((policy) => ({ policy, value: estimateValue(steps, pi[policy], rhat, options) })),
    versusFixed: (['learned', 'uniform'] as const).map((policy) => ({
      policy,
      disagreement: steps.length === 0 ? 0 : 1 - steps.reduce((sum, _, i) => sum + (pi[policy][i]?.[fixedArm[i] ?? -1] ?? 0), 0) / steps.length,
      ...estimateDifference(steps, pi[policy], pi.fixed, rhat, options),
    })),
    usage: usageByClass(decisions, steps, k),
  };
}

function usageByClass(decisions: readonly PolicyEvent[], steps: readonly Step[], k: number): PolicyReport['usage'] {
  const byClass = new Map<string, { counts: number[]; sums: number[]; rewarded: number[] }>();
  const row = (c: string) => {
    let r = byClass.get(c);
    if (r === undefined) byClass.set(c, (r = { counts: new Array<number>(k).fill(0), sums: new Array<number>(k).fill(0), rewarded: new Array<number>(k).fill(0) }));
    return r;
  };
  for (const d of decisions) row(errorClassOf(d) ?? '(none)').counts[d.armIndex]! += 1;
  for (const s of steps) {
    const r = row(s.errorClass ?? '(none)');
    r.sums[s.armIndex]! += s.reward;
    r.rewarded[s.armIndex]! += 1;
  }
  return [...byClass.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([errorClass, r]) => ({ errorClass, counts: r.counts, meanReward: r.sums.map((s, a) => ((r.rewarded[a] ?? 0) === 0 ? null : s / (r.rewarded[a] ?? 1))) }));
}

const f3 = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : '—');
const ci = (i: Interval): string => `${f3(i.value)} [${f3(i.cltLow)}, ${f3(i.cltHigh)} | ${f3(i.bootLow)}, ${f3(i.bootHigh)}]`;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function formatPolicyReport(r: PolicyReport): string {
  return [
    `Policy ${r.policyKey}: ${r.decisions} decisions, ${r.rewarded} rewarded, ${r.pending} pending, ${r.relabels} hindsight relabels`,
    '',
    'Estimated value per decision — estimate [95% CI: CLT | bootstrap]',
    table(['policy', 'IPS', 'SNIPS', 'DR'], r.values.map((v) => [v.policy, ci(v.value.ips), ci(v.value.snips), ci(v.value.dr)])),
    '',
    'Paired difference against the fixed class→arm table (same events)',
    table(['policy − fixed', 'disagree', 'IPS', 'DR'], r.versusFixed.map((v) => [`${v.policy} − fixed`, `${(100 * v.disagreement).toFixed(1)}%`, ci(v.ips), ci(v.dr)])),
    '',
    'Arm usage by error class — decisions (mean reward)',
    table(['error class', ...r.armNames], r.usage.map((u) => [u.errorClass, ...u.counts.map((c, a) => (c === 0 ? '·' : `${c} (${u.meanReward[a] === null ? '—' : f3(u.meanReward[a] ?? 0)})`))])),
  ].join('\n');
}
