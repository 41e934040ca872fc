import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dependencyViolations, importsOf, repositorySources } from './helpers/dependency-graph.ts';
import { repoRoot } from './helpers/platform.ts';

describe('dependency rules of the architecture', () => {
  it('holds for the repository: no forbidden import between parts, no import cycle', () => {
    const sources = repositorySources(repoRoot);
    assert.ok(sources.size > 100, `expected the whole repository, read ${sources.size} files`);
    assert.ok([...sources.keys()].some((file) => file.startsWith('packages/protocol/src/')));
    assert.deepEqual(dependencyViolations(sources), []);
  });

  it('finds every kind of violation it is meant to', () => {
    const files = new Map([
      ['control-plane/src/a.ts', `import { startNode } from '@switchyard/runtime';\nimport { x } from '../../dispatcher/src/x.ts';`],
      ['dispatcher/src/x.ts', `export { y } from '../../control-plane/src/y.ts';\nimport './z.ts';`],
      ['dispatcher/src/z.ts', `import { x } from './x.ts';`],
      ['packages/runtime/src/r.ts', `const m = await import('../../../outbound/src/guard.ts');`],
      ['outbound/src/guard.ts', `import type { HostEnv } from '../../dispatcher/src/host-env.ts';`],
      ['packages/protocol/src/p.ts', `import { z } from 'zod';\nimport { w } from '@switchyard/control-plane';`],
      ['control-plane/src/y.ts', `// import { n } from '@switchyard/runtime';\nexport const y = 1;`],
    ]);
    const rules = dependencyViolations(files).map((violation) => `${violation.from}: ${violation.rule}`);
    assert.deepEqual(rules.sort(), [
      'control-plane/src/a.ts: control-plane must not import dispatcher',
      'control-plane/src/a.ts: control-plane must not import packages/runtime',
      'dispatcher/src/x.ts: dispatcher must not import control-plane',
      'dispatcher/src/x.ts: no import cycles',
      'outbound/src/guard.ts: outbound must not import dispatcher',
      'packages/protocol/src/p.ts: packages/protocol must not import control-plane',
      'packages/runtime/src/r.ts: packages/runtime must not import outbound',
    ]);
  });

  it('reads import, re-export, side-effect and dynamic import forms, and skips comments', () => {
    assert.deepEqual(importsOf(`import a from 'a';\nimport type { B } from "b";\nexport * from './c.ts';\nimport './d.ts';\nawait import('e');\n/* import f from 'f'; */\n// import g from 'g';`), ['a', 'b', './c.ts', './d.ts', 'e']);
  });
});
