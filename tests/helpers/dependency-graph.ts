import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';

/** The parts of the repository the dependency rules speak of, by the folder they live in. */
export const areas = ['control-plane', 'dispatcher', 'outbound', 'packages/protocol', 'packages/runtime', 'packages/cli', 'packages/bench', 'tests'] as const;
export type Area = (typeof areas)[number];

const packageAreas: Record<string, Area> = {
  '@switchyard/control-plane': 'control-plane',
  '@switchyard/dispatcher': 'dispatcher',
  '@switchyard/outbound': 'outbound',
  '@switchyard/protocol': 'packages/protocol',
  '@switchyard/runtime': 'packages/runtime',
  '@switchyard/cli': 'packages/cli',
  '@switchyard/bench': 'packages/bench',
};

/** Which areas each area may not import. */
export const forbidden: Partial<Record<Area, Area[]>> = {
  'control-plane': ['packages/runtime', 'dispatcher', 'outbound', 'packages/cli', 'packages/bench'],
  'packages/runtime': ['control-plane', 'dispatcher', 'outbound', 'packages/cli', 'packages/bench'],
  dispatcher: ['control-plane', 'packages/runtime', 'packages/cli', 'packages/bench'],
  outbound: ['control-plane', 'packages/runtime', 'dispatcher', 'packages/cli', 'packages/bench'],
  'packages/protocol': ['control-plane', 'dispatcher', 'outbound', 'packages/runtime', 'packages/cli', 'packages/bench', 'tests'],
};

export function areaOf(path: string): Area | null {
  return areas.find((area) => path === area || path.startsWith(`${area}/`)) ?? null;
}

const importPattern = /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;(])import\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|[\s;])import\s*['"]([^'"]+)['"]/gm;

/** The module specifiers a source file imports or re-exports (comments removed first). */
export function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  return [...code.matchAll(importPattern)].map((match) => match[1] ?? match[2] ?? match[3]);
}

export interface Violation {
  from: string;
  to: string;
  rule: string;
}

/**
 * Checks the rules over source files keyed by repository-relative path: forbidden imports between
 * areas, and import cycles between files.
 */
export function dependencyViolations(files: Map<string, string>): Violation[] {
  const violations: Violation[] = [];
  const edges = new Map<string, string[]>();
  for (const [file, source] of files) {
    const targets: string[] = [];
    for (const specifier of importsOf(source)) {
      let target: string | null = null;
      if (specifier.startsWith('.')) target = posix.resolve('/', posix.dirname(file), specifier).slice(1);
      else {
        const name = specifier.split('/').slice(0, 2).join('/');
        if (packageAreas[name]) target = packageAreas[name];
      }
      if (target === null) continue;
      const fromArea = areaOf(file);
      const toArea = areaOf(target);
      if (fromArea && toArea && forbidden[fromArea]?.includes(toArea)) violations.push({ from: file, to: specifier, rule: `${fromArea} must not import ${toArea}` });
      if (files.has(target)) targets.push(target);
    }
    edges.set(file, targets);
  }
  violations.push(...cycles(edges).map((cycle) => ({ from: cycle[0], to: cycle.join(' → '), rule: 'no import cycles' })));
  return violations;
}

/** Every import cycle, each reported once, by depth-first search. */
function cycles(edges: Map<string, string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const found: string[][] = [];
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of edges.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of edges.keys()) if (!state.has(file)) visit(file);
  return found;
}

/** The repository's TypeScript sources, keyed by path relative to `root`. */
export function repositorySources(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|mts|mjs|js)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) files.set(path, readFileSync(join(root, path), 'utf8'));
    }
  };
  for (const area of areas) walk(area);
  return files;
}
