import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { buildSchemaDoc, SCHEMA_DOC_FILE } from '../../schema/docs.js';

describe('docs/schema.md', () => {
  it('is generated from the committed supergraph: run `npm run docs:schema` and commit when this fails', async () => {
    expect(await buildSchemaDoc()).toBe(await readFile(SCHEMA_DOC_FILE, 'utf8'));
  });

  it('describes every type and every field (the schema reads as documentation)', async () => {
    const doc = await buildSchemaDoc();
    const undocumentedTypes = doc.split('\n').filter((l) => l === '_No description._');
    const undocumentedRows = doc.split('\n').filter((l) => /^\| `[^`]+` \| .* \|  \|$/.test(l) || /^\| `[^`]+` \|  \|$/.test(l));
    expect(undocumentedTypes).toEqual([]);
    expect(undocumentedRows).toEqual([]);
    expect(doc).toMatch(/### Customer\n/);
  });
});
