import { describe, expect, it } from 'vitest';
import { InflightDedup } from '../../../subgraphs/shared/inflight.js';

/** A call that settles when the test says so, counting how often it was made. */
function gate<T>() {
  let calls = 0;
  let release!: (v: T) => void;
  let fail!: (e: unknown) => void;
  const call = () => {
    calls++;
    return new Promise<T>((res, rej) => {
      release = res;
      fail = rej;
    });
  };
  return { call, calls: () => calls, release: (v: T) => release(v), fail: (e: unknown) => fail(e) };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('InflightDedup', () => {
  it('two identical concurrent reads make one call and both get its answer', async () => {
    const d = new InflightDedup();
    const g = gate<string>();
    const a = d.run('read', '*', 'op', 'k1', g.call);
    const b = d.run('read', '*', 'op', 'k1', g.call);
    await tick();
    expect(g.calls()).toBe(1);
    g.release('answer');
    expect(await Promise.all([a, b])).toEqual(['answer', 'answer']);
  });

  it('different scopes never share a call', async () => {
    const d = new InflightDedup();
    const g = gate<string>();
    const a = d.run('read', 'GD', 'op', 'k1', g.call);
    const b = d.run('read', 'ZJ', 'op', 'k1', g.call);
    await tick();
    expect(g.calls()).toBe(2);
    g.release('x');
    g.release('y');
    void a.catch(() => {});
    void b.catch(() => {});
  });

  it('different operations or keys do not share; an unknown scope shares nothing', async () => {
    const d = new InflightDedup();
    let calls = 0;
    const call = async () => ++calls;
    await Promise.all([d.run('read', '*', 'op', 'k1', call), d.run('read', '*', 'op', 'k2', call), d.run('read', '*', 'other', 'k1', call)]);
    expect(calls).toBe(3);
    await Promise.all([d.run('read', undefined, 'op', 'k1', call), d.run('read', undefined, 'op', 'k1', call)]);
    expect(calls).toBe(5);
  });

  it('a write is never shared', async () => {
    const d = new InflightDedup();
    let calls = 0;
    const call = async () => ++calls;
    expect(await Promise.all([d.run('write', '*', 'op', 'k1', call), d.run('write', '*', 'op', 'k1', call)])).toEqual([1, 2]);
  });

  it('an error reaches every waiter', async () => {
    const d = new InflightDedup();
    const g = gate<string>();
    const a = d.run('read', '*', 'op', 'k1', g.call);
    const b = d.run('read', '*', 'op', 'k1', g.call);
    await tick();
    const boom = new Error('legacy down');
    g.fail(boom);
    await expect(a).rejects.toBe(boom);
    await expect(b).rejects.toBe(boom);
    expect(g.calls()).toBe(1);
    expect(d.size).toBe(0);
  });

  it('a call that throws at once is not kept either', async () => {
    const d = new InflightDedup();
    const call = () => {
      throw new Error('sync');
    };
    await expect(d.run('read', '*', 'op', 'k1', call)).rejects.toThrow('sync');
    expect(d.size).toBe(0);
  });

  it('keeps nothing after completion: the next read goes out again', async () => {
    const d = new InflightDedup();
    let calls = 0;
    const call = async () => ++calls;
    expect(await d.run('read', '*', 'op', 'k1', call)).toBe(1);
    expect(d.size).toBe(0);
    expect(await d.run('read', '*', 'op', 'k1', call)).toBe(2);
  });

  it('disabled, every read makes its own call', async () => {
    const d = new InflightDedup(false);
    let calls = 0;
    const call = async () => ++calls;
    await Promise.all([d.run('read', '*', 'op', 'k1', call), d.run('read', '*', 'op', 'k1', call)]);
    expect(calls).toBe(2);
  });
});
