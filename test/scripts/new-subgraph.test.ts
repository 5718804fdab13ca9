import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { namesOf, nextFreePort, renderTemplate, validateName } from '../../scripts/new-subgraph.js';

/** `npm run new-subgraph`: names checked with errors that say the fix; templates fully rendered. */

const existing = ['customer-service', 'billing', 'network', 'shared', 'loyalty'];

describe('validateName', () => {
  it('accepts a new lower-case kebab-case name', () => {
    expect(validateName('field-force', existing)).toBeUndefined();
    expect(validateName('crm2', existing)).toBeUndefined();
  });

  it.each([
    [undefined, /npm run new-subgraph <name>/],
    ['FieldForce', /not a lower-case kebab-case name.*npm run new-subgraph field-force/],
    ['field_force', /npm run new-subgraph field-force/],
    ['field--force', /kebab-case/],
    ['9lives', /starting with a letter/],
    ['network', /already exists.*pick another name/],
    ['shared', /reserved/],
  ])('refuses %s, naming the fix', (name, message) => {
    expect(validateName(name, existing)).toMatch(message);
  });
});

describe('scaffolding', () => {
  it('spells a name the ways the templates need', () => {
    expect(namesOf('field-force')).toEqual({ name: 'field-force', Pascal: 'FieldForce', camel: 'fieldForce', CONST: 'FIELD_FORCE' });
    expect(namesOf('loyalty')).toEqual({ name: 'loyalty', Pascal: 'Loyalty', camel: 'loyalty', CONST: 'LOYALTY' });
  });

  it('takes the next free port from 4004', () => {
    const urls = (...ports: number[]) => ports.map((p) => `http://127.0.0.1:${p}/graphql`);
    expect(nextFreePort(urls(4001, 4002, 4003))).toBe(4004);
    expect(nextFreePort(urls(4001, 4002, 4003, 4004, 4006))).toBe(4005);
  });

  it('leaves no template token in any file or file name', () => {
    const root = path.resolve('scripts/templates');
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) (statSync(path.join(dir, f)).isDirectory() ? walk : (p: string) => files.push(p))(path.join(dir, f));
    };
    walk(root);
    expect(files.length).toBeGreaterThan(15);
    const n = namesOf('field-force');
    for (const f of files) {
      const out = renderTemplate(`${path.relative(root, f)}\n${readFileSync(f, 'utf8')}`, n, { subgraph: 4005, legacy: 5005 });
      expect(out, f).not.toMatch(/__[A-Za-z_]+__/);
    }
  });
});
