/**
 * CPU time per process and thread from Linux /proc, for bench:server's "where a step's CPU goes" table. Off Linux
 * (no /proc) every reading is undefined and the table is left out.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

export interface CpuReading {
  /** µs of CPU, each since its process or thread started. */
  serverProcess: number;
  serverMainThread: number;
  /** The server's child processes (the SQLite query workers) alive at the time of reading. */
  serverChildren: number;
  loadGenerator: number;
  /** Machine-wide µs, summed over cores, from /proc/stat. */
  machineBusy: number;
  machineTotal: number;
}

function clockTicksPerSecond(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

const US_PER_TICK = 1e6 / clockTicksPerSecond();

/** utime + stime of a /proc/…/stat file, in µs (fields 14 and 15; the command name may hold spaces). */
function statCpuUs(file: string): number {
  const stat = fs.readFileSync(file, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * US_PER_TICK;
}

function machineCpuUs(): { busy: number; total: number } {
  const ticks = (fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: (total - idle) * US_PER_TICK, total: total * US_PER_TICK };
}

/** A reading of the server process `pid`, its children and this process; undefined where /proc is missing. */
export function readCpu(pid: number): CpuReading | undefined {
  if (!fs.existsSync(`/proc/${pid}/stat`)) return undefined;
  // why the check: /proc/…/children needs CONFIG_PROC_CHILDREN; without it the workers' column reads 0.
  const childrenFile = `/proc/${pid}/task/${pid}/children`;
  const children = fs.existsSync(childrenFile) ? fs.readFileSync(childrenFile, 'utf8').trim().split(/\s+/).filter(Boolean) : [];
  const own = process.cpuUsage();
  const machine = machineCpuUs();
  return {
    serverProcess: statCpuUs(`/proc/${pid}/stat`),
    serverMainThread: statCpuUs(`/proc/${pid}/task/${pid}/stat`),
    serverChildren: children.reduce((sum, child) => sum + (fs.existsSync(`/proc/${child}/stat`) ? statCpuUs(`/proc/${child}/stat`) : 0), 0),
    loadGenerator: own.user + own.system,
    machineBusy: machine.busy,
    machineTotal: machine.total,
  };
}

/** µs of CPU per step between two readings, and how busy the whole machine was. */
export interface CpuPerStep {
  mainThread: number;
  otherServerThreads: number;
  sqliteWorkers: number;
  loadGenerator: number;
  machineBusyShare: number;
}

export function cpuPerStep(before: CpuReading, after: CpuReading, steps: number): CpuPerStep {
  const per = (key: keyof CpuReading): number => (after[key] - before[key]) / steps;
  return {
    mainThread: per('serverMainThread'),
    otherServerThreads: per('serverProcess') - per('serverMainThread'),
    sqliteWorkers: per('serverChildren'),
    loadGenerator: per('loadGenerator'),
    machineBusyShare: (after.machineBusy - before.machineBusy) / (after.machineTotal - before.machineTotal),
  };
}
