import type { DbSchema, TableInfo } from '../env/index.js';

/** One join step: `to.toColumn = from.fromColumn`. */
export interface JoinEdge {
  from: string;
  fromColumn: string;
  to: string;
  toColumn: string;
  /** A declared foreign key (false: inferred from a column named like another table's primary key). */
  isDeclared: boolean;
}

const pairKey = (a: string, b: string): string => [a.toLowerCase(), b.toLowerCase()].sort().join('\u0000');

function reverse(e: JoinEdge): JoinEdge {
  return { from: e.to, fromColumn: e.toColumn, to: e.from, toColumn: e.fromColumn, isDeclared: e.isDeclared };
}

function inferredEdges(schema: DbSchema, declaredPairs: Set<string>): JoinEdge[] {
  const edges: JoinEdge[] = [];
  for (const target of schema.tables) {
    const pk = target.primaryKey.length === 1 ? (target.primaryKey[0] as string) : undefined;
    // why: a bare `id` matches every table with a surrogate key and says nothing about how they relate.
    if (pk === undefined || pk.toLowerCase() === 'id') continue;
    for (const source of schema.tables) {
      if (source === target || declaredPairs.has(pairKey(source.name, target.name))) continue;
      const column = source.columns.find((c) => c.name.toLowerCase() === pk.toLowerCase());
      if (column !== undefined) edges.push({ from: source.name, fromColumn: column.name, to: target.name, toColumn: pk, isDeclared: false });
    }
  }
  return edges;
}

const edgesBySchema = new WeakMap<DbSchema, readonly JoinEdge[]>();

/**
 * Every join edge of the schema in both directions: declared foreign keys, then inferred ones. Worked out once
 * per schema object (a database's schema is read once and shared by its episodes); the array is shared, read-only.
 */
export function joinEdges(schema: DbSchema): readonly JoinEdge[] {
  let edges = edgesBySchema.get(schema);
  if (edges === undefined) {
    edges = findJoinEdges(schema);
    edgesBySchema.set(schema, edges);
  }
  return edges;
}

function findJoinEdges(schema: DbSchema): JoinEdge[] {
  const byName = new Map(schema.tables.map((t) => [t.name.toLowerCase(), t] as const));
  const declared: JoinEdge[] = schema.tables.flatMap((t: TableInfo) =>
    t.foreignKeys
      .filter((fk) => byName.has(fk.toTable.toLowerCase()))
      .map((fk) => ({ from: t.name, fromColumn: fk.fromColumn, to: byName.get(fk.toTable.toLowerCase())?.name ?? fk.toTable, toColumn: fk.toColumn, isDeclared: true })),
  );
  const declaredPairs = new Set(declared.map((e) => pairKey(e.from, e.to)));
  const inferred = inferredEdges(schema, declaredPairs).filter((e, i, all) => all.findIndex((o) => pairKey(o.from, o.to) === pairKey(e.from, e.to)) === i);
  return [...declared, ...inferred].flatMap((e) => [e, reverse(e)]);
}

/** The shortest chain of edges from `from` to `to` (breadth-first, at most `maxHops`), or undefined. */
export function shortestJoinPath(edges: readonly JoinEdge[], from: string, to: string, maxHops = 4): JoinEdge[] | undefined {
  const start = from.toLowerCase();
  const goal = to.toLowerCase();
  if (start === goal) return [];
  const cameBy = new Map<string, JoinEdge | null>([[start, null]]);
  let frontier = [start];
  for (let hop = 0; hop < maxHops && frontier.length > 0; hop += 1) {
    const next: string[] = [];
    for (const node of frontier) {
      for (const e of edges) {
        const target = e.to.toLowerCase();
        if (e.from.toLowerCase() !== node || cameBy.has(target)) continue;
        cameBy.set(target, e);
        next.push(target);
      }
    }
    if (cameBy.has(goal)) break;
    frontier = next;
  }
  if (!cameBy.has(goal)) return undefined;
  const path: JoinEdge[] = [];
  for (let e = cameBy.get(goal); e !== null && e !== undefined; e = cameBy.get(e.from.toLowerCase())) path.unshift(e);
  return path;
}

/** `a JOIN b ON b.y = a.x JOIN c ON …` with identifiers quoted by `quote`. */
export function joinClause(path: readonly JoinEdge[], quote: (name: string) => string): string {
  const first = path[0];
  if (first === undefined) return '';
  const steps = path.map((e) => `JOIN ${quote(e.to)} ON ${quote(e.to)}.${quote(e.toColumn)} = ${quote(e.from)}.${quote(e.fromColumn)}`);
  return `${quote(first.from)} ${steps.join(' ')}`;
}
