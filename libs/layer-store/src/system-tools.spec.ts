import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CommandLineSystemTools, parseGetfattrDump } from './system-tools';
import { tempDir } from './spec-helpers';

describe('CommandLineSystemTools', () => {
  it('decodes octal-escaped names from getfattr', () => {
    const dump = [
      '# file: /x/new\\012line',
      '# ignored',
      'security.capability=0x0100',
      '',
      '# file: /x/back\\134slash',
      'trusted.overlay.opaque=0x79',
    ].join('\n');
    const parsed = parseGetfattrDump(dump);
    assert.deepEqual(parsed.get('/x/new\nline')?.get('security.capability'), Buffer.from([1, 0]));
    assert.equal(parsed.get('/x/back\\slash')?.get('trusted.overlay.opaque')?.toString(), 'y');
  });

  it('reads back what it sets, under awkward names, in one walk', async () => {
    const tools = new CommandLineSystemTools();
    const dir = tempDir();
    const names = ['plain', 'with space', 'ünï', 'new\nline', 'back\\slash'];
    for (const name of names) {
      await fs.writeFile(join(dir, name), '');
      await tools.setXattr(join(dir, name), 'trusted.berth-test', Buffer.from([0, 1, 2, 255]));
    }
    const found = await tools.readXattrsUnder(dir, ['trusted.berth-test']);
    for (const name of names) assert.deepEqual(found.get(join(dir, name))?.get('trusted.berth-test'), Buffer.from([0, 1, 2, 255]), name);
  });

  it('makes device nodes and fifos', async () => {
    const tools = new CommandLineSystemTools();
    const dir = tempDir();
    await tools.makeNode(join(dir, 'null'), 'char', 1, 3);
    await tools.makeNode(join(dir, 'pipe'), 'fifo', 0, 0);
    const device = await fs.lstat(join(dir, 'null'));
    assert.ok(device.isCharacterDevice());
    assert.equal(device.rdev, (1 << 8) | 3);
    assert.ok((await fs.lstat(join(dir, 'pipe'))).isFIFO());
  });
});
